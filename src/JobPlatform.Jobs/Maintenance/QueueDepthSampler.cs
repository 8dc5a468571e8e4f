using JobPlatform.Jobs.Scheduling;
using JobPlatform.Jobs.Storage;
using JobPlatform.Jobs.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JobPlatform.Jobs.Maintenance;

/// <summary>
/// Counts unfinished jobs by queue and state, and how long each queue's oldest due job has waited, every few
/// seconds for <c>jobplatform.queue.depth</c> and <c>jobplatform.queue.oldest_wait</c>, on the server
/// that leads the scheduler only: one process reports the cluster's depth, so the series never double up. It also
/// folds the job counts' appended changes (see <see cref="JobStore.FoldJobCountsAsync"/>).
/// </summary>
public sealed class QueueDepthSampler(
    IServiceScopeFactory scopeFactory,
    ScheduleRunner leader,
    JobsTelemetry telemetry,
    TimeProvider time,
    ILogger<QueueDepthSampler> logger) : PeriodicService(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(5);

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!leader.IsLeader)
        {
            telemetry.SetQueueDepth([]);
            telemetry.SetOldestWait([]);
            return;
        }
        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
        // The job counts' appended changes are folded often, so that the dashboard's reads of them stay short.
        await store.FoldJobCountsAsync(cancellationToken);
        telemetry.SetQueueDepth(await store.CountUnfinishedAsync(cancellationToken));
        telemetry.SetOldestWait(await store.OldestWaitAsync(cancellationToken));
    }
}
