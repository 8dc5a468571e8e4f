using Microsoft.AspNetCore.Components;

namespace JobPlatform.Dashboard.Components;

/// <summary>
/// A page that loads its data, then loads it again every two seconds while it is open, so counts, states and
/// progress move without a reload. Loads never overlap.
/// </summary>
public abstract class LivePage : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _closed = new();

    [Inject] protected DashboardData Data { get; set; } = default!;

    protected static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    protected abstract Task LoadAsync();

    protected override async Task OnParametersSetAsync() => await LoadAsync();

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive) _ = RefreshAsync();
    }

    private async Task RefreshAsync()
    {
        using var timer = new PeriodicTimer(RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_closed.Token))
                await InvokeAsync(async () =>
                {
                    await LoadAsync();
                    StateHasChanged();
                });
        }
        catch (OperationCanceledException)
        {
            // the page was closed
        }
    }

    public void Dispose()
    {
        _closed.Cancel();
        _closed.Dispose();
        GC.SuppressFinalize(this);
    }
}
