using JobPlatform.Jobs.Processing;
using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobPlatform.Jobs.Maintenance;

/// <summary>
/// Returns jobs whose lease expired, because their server was killed or hung, to the queue (or fails
/// them when their attempts are spent), and moves on continuations whose parent ended unseen. Safe on
/// every node at once: each row is updated once.
/// </summary>
public sealed partial class JobRescuer(
    IServiceScopeFactory scopeFactory,
    IOptions<ProcessingOptions> options,
    TimeProvider time,
    ILogger<JobRescuer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LeaseDuration / 2, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopeFactory.CreateAsyncScope();
                    var store = scope.ServiceProvider.GetRequiredService<JobStore>();
                    var rescued = await store.RescueExpiredAsync(stoppingToken);
                    if (rescued > 0) LogRescued(rescued);
                    // The safety net for continuations: parents failed here, or deleted by retention.
                    await store.ReleaseContinuationsAsync(null, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRescueFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rescued {Count} jobs whose lease expired")]
    private partial void LogRescued(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rescuing expired jobs failed; retrying later")]
    private partial void LogRescueFailed(Exception exception);
}
