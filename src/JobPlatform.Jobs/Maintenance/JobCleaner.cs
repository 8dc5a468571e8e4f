using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobPlatform.Jobs.Maintenance;

/// <summary>
/// Deletes finished jobs (and, by cascade, their attempts) once their retention is over, oldest first, in
/// small batches with pauses between them, so the hot path never waits on a long delete. Every node may
/// run it: rows another node is deleting are skipped.
/// </summary>
public sealed partial class JobCleaner(
    IServiceScopeFactory scopeFactory,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<JobCleaner> logger) : PeriodicService(time, logger)
{
    protected override TimeSpan Interval => options.Value.Interval;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var deleted = await CleanAsync(options.Value, cancellationToken);
        if (deleted > 0) LogDeleted(deleted);
        // The leader folds the job counts' changes every few seconds; this covers a cluster where no process
        // leads (scheduling off everywhere).
        await using var scope = scopeFactory.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<JobStore>().FoldJobCountsAsync(cancellationToken);
    }

    /// <summary>One pass over every finished state; returns how many jobs were deleted.</summary>
    public async Task<int> CleanAsync(RetentionOptions settings, CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var (state, keep) in new[] { ("succeeded", settings.Succeeded), ("failed", settings.Failed), ("cancelled", settings.Cancelled) })
        {
            int deleted;
            do
            {
                await using var scope = scopeFactory.CreateAsyncScope();
                deleted = await scope.ServiceProvider.GetRequiredService<JobStore>()
                    .DeleteFinishedAsync(state, keep, settings.BatchSize, cancellationToken);
                total += deleted;
                if (deleted == settings.BatchSize) await Task.Delay(TimeSpan.FromMilliseconds(50), Time, cancellationToken);
            }
            while (deleted == settings.BatchSize);
        }
        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} finished jobs past their retention")]
    private partial void LogDeleted(int count);
}
