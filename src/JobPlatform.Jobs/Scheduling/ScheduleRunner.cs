using JobPlatform.Jobs.Processing;
using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using JobPlatform.Jobs.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobPlatform.Jobs.Scheduling;

/// <summary>
/// Runs on every worker; the one that holds the scheduler lease leads and fires due schedules. Each tick
/// the leader renews the lease and the others try to take it, so when the leader dies another leads within
/// the lease duration (plus a tick). The same statement says when the first schedule is due, so an idle
/// round is one transaction; the leader fires only when something is due, and sleeps until then (at most a
/// tick, so that schedules added meanwhile are seen). Leading is only about work: exactly-once firing does
/// not depend on it (see <see cref="ScheduleFirer"/>).
/// </summary>
public sealed partial class ScheduleRunner(
    IServiceScopeFactory scopeFactory,
    ScheduleFirer firer,
    IScheduleClock clock,
    TimeProvider time,
    IOptions<SchedulingOptions> options,
    IOptions<ProcessingOptions> processing,
    ILogger<ScheduleRunner> logger) : BackgroundService
{
    public const string LeaseName = "scheduler";

    private readonly string _server = processing.Value.ServerName;

    /// <summary>Whether this server leads at the moment (for tests and diagnostics).</summary>
    public bool IsLeader { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tick = options.Value.Tick;
        if (!options.Value.Enabled) return;
        var failures = new FailureStreak(logger, "Scheduler round", tick, tick, time);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = tick;
                try
                {
                    var round = await HoldLeaseAsync(stoppingToken);
                    if (IsLeader && round.NextDue is { } next && await UntilNextAsync(round, next, stoppingToken) is { } untilNext)
                        wait = TimeSpan.FromTicks(Math.Clamp(untilNext.Ticks, TimeSpan.FromMilliseconds(5).Ticks, tick.Ticks));
                    failures.Succeeded();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failures.Failed(e);
                }
                await Task.Delay(wait, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!IsLeader) return;
        // Hand over at once rather than after the lease runs out.
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<JobStore>().ReleaseLeaseAsync(LeaseName, _server, cancellationToken);
        }
        catch (Exception e)
        {
            // Not fatal, even when the host's stop timeout cut it short: the lease runs out and another server leads.
            LogHandoverFailed(e);
        }
        IsLeader = false;
    }

    /// <summary>Fires what is due, if anything; returns how long until the next schedule is due (null: none is).</summary>
    private async Task<TimeSpan?> UntilNextAsync(SchedulerRound round, DateTimeOffset next, CancellationToken cancellationToken)
    {
        var now = clock.IsDatabaseClock ? round.DatabaseNow : await clock.NowAsync(cancellationToken);
        return next > now ? next - now : await firer.FireDueAsync(cancellationToken);
    }

    private async Task<SchedulerRound> HoldLeaseAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var round = await scope.ServiceProvider.GetRequiredService<JobStore>()
            .HoldLeaseAsync(LeaseName, _server, options.Value.LeaseDuration, cancellationToken);
        var leads = round.Term is not null;
        if (leads && !IsLeader) LogLeading(_server, round.Term!.Value);
        else if (!leads && IsLeader) LogLostLead(_server);
        IsLeader = leads;
        return round;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handing over the scheduler's lead failed; another server leads when the lease runs out")]
    private partial void LogHandoverFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Server {Server} now leads the scheduler (term {Term})")]
    private partial void LogLeading(string server, long term);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Server {Server} no longer leads the scheduler")]
    private partial void LogLostLead(string server);
}
