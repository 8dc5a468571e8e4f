using JobPlatform.Jobs.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JobPlatform.Jobs.Maintenance;

/// <summary>
/// Runs <see cref="RunOnceAsync"/> at start and then every <see cref="Interval"/> until the host stops. A
/// failed round (the database away, say) is logged and the service carries on at the next one; while rounds keep
/// failing, the log gets a line now and then (<see cref="FailureStreak"/>), not one per round.
/// </summary>
public abstract class PeriodicService(TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected abstract TimeSpan Interval { get; }

    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, Time);
        var failures = new FailureStreak(logger, GetType().Name, Interval, Interval, Time);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                    failures.Succeeded();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failures.Failed(e); // the timer keeps the pace: a heartbeat must not fall behind its leases
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
