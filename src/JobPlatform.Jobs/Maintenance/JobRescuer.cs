using JobPlatform.Jobs.Processing;
using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
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
    ILogger<JobRescuer> logger) : PeriodicService(time, logger)
{
    protected override TimeSpan Interval => options.Value.LeaseDuration / 2;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
        var rescued = await store.RescueExpiredAsync(cancellationToken);
        if (rescued > 0) LogRescued(rescued);
        // The safety net for continuations: parents failed here, or deleted by retention.
        await store.ReleaseContinuationsAsync(null, cancellationToken);
        // And for batches whose last job ended where no checker ran (failed here, or its server died).
        await store.FinishOpenBatchesAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rescued {Count} jobs whose lease expired")]
    private partial void LogRescued(int count);
}
