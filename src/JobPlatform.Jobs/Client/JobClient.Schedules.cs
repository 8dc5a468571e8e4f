using JobPlatform.Jobs.Scheduling;
using JobPlatform.Jobs.Storage;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace JobPlatform.Jobs.Client;

/// <summary>Managing recurring schedules at run time.</summary>
internal sealed partial class JobClient
{
    private const int OccurrencesShown = 5;

    public async Task<ScheduleInfo> CreateScheduleAsync(ScheduleDefinition definition, CancellationToken cancellationToken = default)
    {
        var cron = ScheduleValidation.Validate(definition);
        await RequireTypeAsync(definition.Type, cancellationToken);
        var now = await scheduleClock.NowAsync(cancellationToken);
        var record = new ScheduleRecord
        {
            Name = definition.Name, Cron = definition.Cron, TimeZone = definition.TimeZone, Type = definition.Type,
            Payload = definition.PayloadJson, Misfire = definition.Misfire.ToName(), Overlap = definition.Overlap.ToName(),
            Source = ScheduleNames.Client, CreatedAt = now, UpdatedAt = now,
            NextRunAt = cron.Next(now) ?? throw new JobValidationException("cron", $"'{definition.Cron}' has no occurrence after now."),
        };
        Apply(definition, record);
        db.Schedules.Add(record);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.Entry(record).State = EntityState.Detached;
            throw new DuplicateScheduleException(definition.Name);
        }
        return ToInfo(record, null);
    }

    public async Task<ScheduleInfo?> UpdateScheduleAsync(ScheduleDefinition definition, CancellationToken cancellationToken = default)
    {
        var cron = ScheduleValidation.Validate(definition);
        await RequireTypeAsync(definition.Type, cancellationToken);
        var record = await db.Schedules.SingleOrDefaultAsync(s => s.Name == definition.Name, cancellationToken);
        if (record is null) return null;
        var now = await scheduleClock.NowAsync(cancellationToken);
        if (record.Cron != definition.Cron || record.TimeZone != definition.TimeZone)
            record.NextRunAt = cron.Next(now) ?? throw new JobValidationException("cron", $"'{definition.Cron}' has no occurrence after now.");
        (record.Cron, record.TimeZone, record.Type, record.Payload) = (definition.Cron, definition.TimeZone, definition.Type, definition.PayloadJson);
        (record.Misfire, record.Overlap, record.UpdatedAt) = (definition.Misfire.ToName(), definition.Overlap.ToName(), now);
        Apply(definition, record);
        await db.SaveChangesAsync(cancellationToken);
        return await GetScheduleAsync(definition.Name, cancellationToken);
    }

    public async Task<bool> PauseScheduleAsync(string name, CancellationToken cancellationToken = default)
    {
        var now = await scheduleClock.NowAsync(cancellationToken);
        return await db.Schedules.Where(s => s.Name == name)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Paused, true).SetProperty(s => s.UpdatedAt, now), cancellationToken) == 1;
    }

    public async Task<bool> ResumeScheduleAsync(string name, CancellationToken cancellationToken = default)
    {
        var record = await db.Schedules.SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (record is null) return false;
        if (!record.Paused) return true;
        var now = await scheduleClock.NowAsync(cancellationToken);
        record.NextRunAt = CronSchedule.Parse(record.Cron, record.TimeZone).Next(now) ?? record.NextRunAt;
        (record.Paused, record.UpdatedAt) = (false, now);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<bool> DeleteScheduleAsync(string name, CancellationToken cancellationToken = default) =>
        await db.Schedules.Where(s => s.Name == name).ExecuteDeleteAsync(cancellationToken) == 1;

    public async Task<EnqueueResult?> TriggerScheduleAsync(string name, CancellationToken cancellationToken = default)
    {
        var record = await db.Schedules.AsNoTracking().SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (record is null) return null;
        return await EnqueueAsync(record.Type, record.Payload, new EnqueueOptions
        {
            Queue = record.Queue,
            Priority = record.Priority,
            MaxAttempts = record.MaxAttempts,
            Timeout = record.Timeout,
            Tags = [$"schedule:{record.Name}"],
        }, cancellationToken);
    }

    public async Task<ScheduleInfo?> GetScheduleAsync(string name, CancellationToken cancellationToken = default) =>
        (await ListAsync(db.Schedules.Where(s => s.Name == name), cancellationToken)).SingleOrDefault();

    public async Task<IReadOnlyList<ScheduleInfo>> GetSchedulesAsync(CancellationToken cancellationToken = default) =>
        await ListAsync(db.Schedules.OrderBy(s => s.Name), cancellationToken);

    private async Task<IReadOnlyList<ScheduleInfo>> ListAsync(IQueryable<ScheduleRecord> query, CancellationToken cancellationToken)
    {
        var records = await query.AsNoTracking().ToListAsync(cancellationToken);
        var lastJobs = records.Where(r => r.LastJobId is not null).Select(r => r.LastJobId!.Value).ToList();
        var states = await db.Jobs.AsNoTracking().Where(j => lastJobs.Contains(j.Id))
            .ToDictionaryAsync(j => j.Id, j => j.State, cancellationToken);
        return [.. records.Select(r => ToInfo(r, r.LastJobId is { } id && states.TryGetValue(id, out var state) ? JobStateNames.Parse(state) : null))];
    }

    private static ScheduleInfo ToInfo(ScheduleRecord record, JobState? lastJobState)
    {
        IReadOnlyList<DateTimeOffset> next = [];
        if (!record.Paused)
        {
            try
            {
                next = [record.NextRunAt, .. CronSchedule.Parse(record.Cron, record.TimeZone).Next(record.NextRunAt, OccurrencesShown - 1)];
            }
            catch (ArgumentException)
            {
                // A time zone this machine does not know: show the schedule without its future.
            }
        }
        var definition = new ScheduleDefinition(record.Name, record.Cron, record.Type, record.Payload)
        {
            TimeZone = record.TimeZone, Queue = record.Queue, Priority = record.Priority, MaxAttempts = record.MaxAttempts,
            Timeout = record.Timeout, Misfire = ScheduleNames.ParseMisfire(record.Misfire), Overlap = ScheduleNames.ParseOverlap(record.Overlap),
        };
        return new ScheduleInfo(definition, record.Paused, record.Source, next, record.LastOccurrenceAt, record.LastJobId,
            lastJobState, record.LastSkippedAt, record.LastSkipReason);
    }

    private static void Apply(ScheduleDefinition definition, ScheduleRecord record)
    {
        record.Queue = definition.Queue;
        record.Priority = definition.Priority;
        record.MaxAttempts = definition.MaxAttempts;
        record.Timeout = definition.Timeout;
    }

    private async Task RequireTypeAsync(string type, CancellationToken cancellationToken)
    {
        var known = await store.GetJobTypeNamesAsync(cancellationToken);
        if (!known.Contains(type)) throw new UnknownJobTypeException(type, known);
    }
}
