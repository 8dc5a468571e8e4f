using JobPlatform.Jobs.Scheduling;
using Npgsql;
using NpgsqlTypes;

namespace JobPlatform.Jobs.Storage;

/// <summary>Schedules declared in code, and the leases that elect the scheduler's leader.</summary>
public sealed partial class JobStore
{
    /// <summary>
    /// Stores a schedule a worker declares in code: inserts it, or updates it where the code changed (a
    /// changed cron expression or time zone restarts its occurrences). Workers starting at once race into
    /// the same row, so there is never a second one; paused state and history are kept.
    /// </summary>
    public async Task UpsertScheduleAsync(ScheduleDefinition definition, DateTimeOffset nextRunAt, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync($"""
            INSERT INTO jobplatform.schedules AS s
                (name, cron, time_zone, type, queue, payload, priority, max_attempts, timeout, misfire, overlap,
                 paused, next_run_at, source, created_at, updated_at)
            VALUES (@name, @cron, @time_zone, @type, @queue, @payload::jsonb, @priority, @max_attempts, @timeout,
                    @misfire, @overlap, false, @next_run_at, '{ScheduleNames.Code}', now(), now())
            ON CONFLICT (name) DO UPDATE SET
                cron = EXCLUDED.cron, time_zone = EXCLUDED.time_zone, type = EXCLUDED.type, queue = EXCLUDED.queue,
                payload = EXCLUDED.payload, priority = EXCLUDED.priority, max_attempts = EXCLUDED.max_attempts,
                timeout = EXCLUDED.timeout, misfire = EXCLUDED.misfire, overlap = EXCLUDED.overlap,
                source = EXCLUDED.source, updated_at = now(),
                next_run_at = CASE WHEN (s.cron, s.time_zone) IS DISTINCT FROM (EXCLUDED.cron, EXCLUDED.time_zone)
                                   THEN EXCLUDED.next_run_at ELSE s.next_run_at END
            WHERE (s.cron, s.time_zone, s.type, s.queue, s.payload, s.priority, s.max_attempts, s.timeout, s.misfire, s.overlap, s.source)
                  IS DISTINCT FROM
                  (EXCLUDED.cron, EXCLUDED.time_zone, EXCLUDED.type, EXCLUDED.queue, EXCLUDED.payload, EXCLUDED.priority,
                   EXCLUDED.max_attempts, EXCLUDED.timeout, EXCLUDED.misfire, EXCLUDED.overlap, EXCLUDED.source)
            """, cancellationToken);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<string>("name", definition.Name));
        p.Add(new NpgsqlParameter<string>("cron", definition.Cron));
        p.Add(new NpgsqlParameter<string>("time_zone", definition.TimeZone));
        p.Add(new NpgsqlParameter<string>("type", definition.Type));
        p.Add(Nullable("queue", NpgsqlDbType.Text, definition.Queue));
        p.Add(new NpgsqlParameter<string>("payload", definition.PayloadJson));
        p.Add(new NpgsqlParameter<int>("priority", definition.Priority));
        p.Add(Nullable("max_attempts", NpgsqlDbType.Integer, definition.MaxAttempts));
        p.Add(Nullable("timeout", NpgsqlDbType.Interval, definition.Timeout));
        p.Add(new NpgsqlParameter<string>("misfire", definition.Misfire.ToName()));
        p.Add(new NpgsqlParameter<string>("overlap", definition.Overlap.ToName()));
        p.Add(new NpgsqlParameter<DateTime>("next_run_at", nextRunAt.UtcDateTime));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Takes or renews the lease <paramref name="name"/> for <paramref name="holder"/>: succeeds when nobody
    /// holds it, when the holder is this caller, or when the last holder let it expire (on the database's
    /// clock, which every server shares). Returns the lease's term (null while another server holds it), the
    /// database's clock, and when the first unpaused schedule is due: one statement, so an idle scheduler's
    /// round is one transaction rather than four.
    /// </summary>
    public async Task<SchedulerRound> HoldLeaseAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("""
            WITH lease AS (
                INSERT INTO jobplatform.leases AS l (name, holder, expires_at, term) VALUES (@name, @holder, now() + @duration, 1)
                ON CONFLICT (name) DO UPDATE SET
                    holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at,
                    term = l.term + CASE WHEN l.holder = EXCLUDED.holder THEN 0 ELSE 1 END
                WHERE l.holder = EXCLUDED.holder OR l.expires_at < now()
                RETURNING term)
            SELECT (SELECT term FROM lease), statement_timestamp(),
                   (SELECT min(next_run_at) FROM jobplatform.schedules WHERE NOT paused)
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<string>("name", name));
        command.Parameters.Add(new NpgsqlParameter<string>("holder", holder));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("duration", duration));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new SchedulerRound(
            reader.IsDBNull(0) ? null : reader.GetInt64(0),
            reader.GetFieldValue<DateTimeOffset>(1),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    /// <summary>Gives up a lease this holder has, so that another server need not wait for it to expire.</summary>
    public async Task ReleaseLeaseAsync(string name, string holder, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync(
            "UPDATE jobplatform.leases SET expires_at = now() - interval '1 second' WHERE name = @name AND holder = @holder", cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<string>("name", name));
        command.Parameters.Add(new NpgsqlParameter<string>("holder", holder));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Whether the job exists and has not finished (for a schedule's overlap policy).</summary>
    public async Task<bool> IsUnfinishedAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync($"SELECT EXISTS (SELECT 1 FROM jobplatform.jobs WHERE id = @id AND state IN {Unfinished})", cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }
}
