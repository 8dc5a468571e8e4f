using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
    ILogger<JobCleaner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.Interval, time);
        try
        {
            do
            {
                try
                {
                    var deleted = await CleanAsync(settings, stoppingToken);
                    if (deleted > 0) LogDeleted(deleted);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogCleanFailed(e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
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
                if (deleted == settings.BatchSize) await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
            }
            while (deleted == settings.BatchSize);
        }
        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} finished jobs past their retention")]
    private partial void LogDeleted(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting finished jobs failed; retrying at the next interval")]
    private partial void LogCleanFailed(Exception exception);
}
