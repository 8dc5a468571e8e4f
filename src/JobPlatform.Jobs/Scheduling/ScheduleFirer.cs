using JobPlatform.Jobs.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobPlatform.Jobs.Scheduling;

/// <summary>
/// Turns due occurrences into jobs. Each schedule is fired in a transaction of its own that locks its row,
/// inserts the occurrence's job (with a unique key for the occurrence) and moves the schedule to its next
/// occurrence, all or nothing. A second firer (two servers briefly both believing they lead) skips the
/// locked row, and afterwards finds it no longer due: no occurrence is fired twice.
/// </summary>
public sealed partial class ScheduleFirer(
    IServiceScopeFactory scopeFactory,
    IScheduleClock clock,
    IOptions<SchedulingOptions> options,
    ILogger<ScheduleFirer> logger)
{
    private const int MaxSchedulesPerRound = 100, MaxOccurrencesPerFiring = 10_000;

    /// <summary>
    /// Fires every due schedule; returns how long until the next one is due, if any (by <see cref="IScheduleClock"/>),
    /// leaving out the ones this round could not fire.
    /// </summary>
    public async Task<TimeSpan?> FireDueAsync(CancellationToken cancellationToken)
    {
        var now = await clock.NowAsync(cancellationToken);
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var due = await db.Schedules.AsNoTracking()
            .Where(s => !s.Paused && s.NextRunAt <= now)
            .OrderBy(s => s.NextRunAt).Select(s => s.Name).Take(MaxSchedulesPerRound)
            .ToListAsync(cancellationToken);
        var unfired = new List<string>();
        foreach (var name in due)
        {
            try
            {
                if (!await FireAsync(scope.ServiceProvider, name, now, cancellationToken)) unfired.Add(name);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFireFailed(e, name); // the schedule stays due; the next round tries again
                unfired.Add(name);
            }
        }
        // A schedule this round could not fire (it failed, or another transaction holds its row) and that is still
        // due does not count: the runner would otherwise come straight back for it, hundreds of rounds a second.
        // It is tried again on the next tick, or sooner when another schedule comes due first.
        return await db.Schedules.AsNoTracking().Where(s => !s.Paused && (s.NextRunAt > now || !unfired.Contains(s.Name)))
            .MinAsync(s => (DateTimeOffset?)s.NextRunAt, cancellationToken) - now;
    }

    /// <summary>Fires one due schedule; false when it was not there to fire (another transaction holds it, or it is no longer due).</summary>
    private async Task<bool> FireAsync(IServiceProvider services, string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<JobsDbContext>();
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var schedule = await db.Schedules
            .FromSql($"SELECT * FROM jobplatform.schedules WHERE name = {name} AND NOT paused AND next_run_at <= {now} FOR UPDATE SKIP LOCKED")
            .SingleOrDefaultAsync(cancellationToken);
        if (schedule is null)
        {
            LogNotFired(name, now); // another firer has it, or has just fired it
            return false;
        }

        CronSchedule cron;
        try
        {
            cron = CronSchedule.Parse(schedule.Cron, schedule.TimeZone);
        }
        catch (ArgumentException e)
        {
            // Stored before a time zone went away, say: pause it rather than fail every round.
            schedule.Paused = true;
            (schedule.LastSkippedAt, schedule.LastSkipReason) = (now, $"paused: {e.Message}");
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }

        var due = new List<DateTimeOffset> { schedule.NextRunAt };
        while (due.Count < MaxOccurrencesPerFiring && cron.Next(due[^1]) is { } next && next <= now) due.Add(next);
        // An occurrence fired already is never fired again: a writer that read the schedule before this firer's
        // last commit (an update of its cron, the seeder) may have set next_run_at back to it, and its job's unique
        // key stops a second one only while the first is unfinished.
        if (schedule.LastOccurrenceAt is { } last) due.RemoveAll(occurrence => occurrence <= last);
        var store = services.GetRequiredService<JobStore>();

        if (due.Count == 0)
        {
            LogAlreadyFired(name, schedule.NextRunAt);
        }
        else if (now - due[0] <= options.Value.MisfireThreshold)
        {
            // On time, or a tick late: every occurrence gets its job.
            foreach (var occurrence in due) await EnqueueAsync(store, schedule, occurrence, now, cancellationToken);
        }
        else if (ScheduleNames.ParseMisfire(schedule.Misfire) == MisfirePolicy.RunOnce)
        {
            // Missed while no server ran: one job stands for them all.
            await EnqueueAsync(store, schedule, due[^1], now, cancellationToken);
            if (due.Count > 1) LogMisfire(name, due.Count, "run once");
        }
        else
        {
            (schedule.LastSkippedAt, schedule.LastSkipReason) = (now, $"missed {Describe(due)}; misfire policy is skip");
            LogMisfire(name, due.Count, "skipped");
        }

        if (due.Count > 0) schedule.LastOccurrenceAt = due[^1];
        // A cron expression with no further occurrence (a date long past) leaves the schedule paused.
        if (cron.Next(now) is { } following) schedule.NextRunAt = following;
        else schedule.Paused = true;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private async Task EnqueueAsync(JobStore store, ScheduleRecord schedule, DateTimeOffset occurrence, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (ScheduleNames.ParseOverlap(schedule.Overlap) == OverlapPolicy.Skip && schedule.LastJobId is { } previous
            && await store.IsUnfinishedAsync(previous, cancellationToken))
        {
            (schedule.LastSkippedAt, schedule.LastSkipReason) = (now, $"{occurrence.UtcDateTime:u} skipped: the previous occurrence's job {previous} has not finished (overlap policy skip)");
            return;
        }
        var job = new NewJob(Guid.CreateVersion7(), schedule.Type, schedule.Payload)
        {
            Queue = schedule.Queue,
            Priority = schedule.Priority,
            MaxAttempts = schedule.MaxAttempts,
            Timeout = schedule.Timeout,
            UniqueKey = ScheduleNames.OccurrenceKey(schedule.Name, occurrence),
            Tags = [$"schedule:{schedule.Name}"],
        };
        if (await store.InsertAsync(job, cancellationToken) is { } inserted) schedule.LastJobId = inserted.Id;
        else (schedule.LastSkippedAt, schedule.LastSkipReason) = (now, $"{occurrence.UtcDateTime:u} skipped: no worker has registered job type '{schedule.Type}'");
    }

    private static string Describe(List<DateTimeOffset> due) => due.Count == 1
        ? $"the occurrence at {due[0].UtcDateTime:u}"
        : $"{due.Count} occurrences from {due[0].UtcDateTime:u} to {due[^1].UtcDateTime:u}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Firing schedule {Schedule} failed; it stays due")]
    private partial void LogFireFailed(Exception exception, string schedule);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schedule {Schedule} was due at {Now} but is locked by another firer or no longer due")]
    private partial void LogNotFired(string schedule, DateTimeOffset now);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {Schedule} was set back to {Occurrence}, which it has fired already; it moves on without firing it again")]
    private partial void LogAlreadyFired(string schedule, DateTimeOffset occurrence);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {Schedule} missed {Count} occurrences: {Decision}")]
    private partial void LogMisfire(string schedule, int count, string decision);
}
