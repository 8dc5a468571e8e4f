using JobPlatform.Dashboard.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace JobPlatform.Dashboard.Components;

/// <summary>
/// A page that loads its data, then loads it again every two seconds while it is open, so counts, states and
/// progress move without a reload. Loads never overlap. Each load also settles whether the user may change
/// things (<see cref="CanChange"/>), which decides the actions a page offers.
/// </summary>
public abstract class LivePage : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _closed = new();

    [Inject] protected DashboardData Data { get; set; } = default!;

    [Inject] private IAuthorizationService Authorization { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    /// <summary>Whether the signed-in user may change jobs, schedules and queues (the admin role, or login off), as of the last load.</summary>
    protected bool CanChange { get; private set; }

    /// <summary>Asks again, at the moment of a change: the page may have been open since before a role changed.</summary>
    protected async Task<bool> MayChangeAsync() =>
        AuthenticationState is not null && (await Authorization.AuthorizeAsync((await AuthenticationState).User, DashboardRoles.ChangePolicy)).Succeeded;

    protected static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    protected abstract Task LoadAsync();

    protected override async Task OnParametersSetAsync() => await LoadAllAsync();

    private async Task LoadAllAsync()
    {
        CanChange = await MayChangeAsync();
        await LoadAsync();
    }

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
                    await LoadAllAsync();
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
