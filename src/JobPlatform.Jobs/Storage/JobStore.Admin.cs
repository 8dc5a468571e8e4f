using Npgsql;

namespace JobPlatform.Jobs.Storage;

/// <summary>What an operator does to jobs and queues: retry, delete, pause, count.</summary>
public sealed partial class JobStore
{
    /// <summary>What <see cref="RetryAsync"/> returns when another unfinished job holds the job's unique key.</summary>
    public const string UniqueKeyTaken = "unique key taken";

    /// <summary>
    /// Enqueues a failed or cancelled job again, now, with one more attempt than it has used. Returns the state
    /// it was in, or null when there is no such job; nothing changes unless that state was failed or cancelled, nor
    /// when another unfinished job holds its unique key now (<see cref="UniqueKeyTaken"/>).
    /// </summary>
    public async Task<string?> RetryAsync(Guid id, CancellationToken cancellationToken)
    {
        try
        {
            return await TryRetryAsync(id, cancellationToken);
        }
        catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "ux_jobs_unique_key" })
        {
            return UniqueKeyTaken;
        }
    }

    private async Task<string?> TryRetryAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var batch = await CreateBatchAsync(cancellationToken, """
            WITH target AS (SELECT id, state FROM jobplatform.jobs WHERE id = @id FOR NO KEY UPDATE),
            retried AS (
                UPDATE jobplatform.jobs j
                SET state = 'enqueued', run_at = now(), finished_at = NULL, error = NULL, cancel_requested_at = NULL,
                    max_attempts = GREATEST(j.max_attempts, j.attempt + 1), lease_owner = NULL, lease_expires_at = NULL
                FROM target WHERE j.id = target.id AND target.state IN ('failed', 'cancelled'))
            SELECT state FROM target
            """, NotifyEnqueuedSql);
        batch.BatchCommands[0].Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
    }

    /// <summary>What <see cref="DeleteAsync"/> returns when another transaction holds the job for longer than it waits.</summary>
    public const string Locked = "locked";

    /// <summary>How long a delete waits for a job another transaction holds (a caller's open transaction enqueuing a continuation of it).</summary>
    public static readonly TimeSpan DeleteLockTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Deletes a job that is not running (its attempts go with it). Returns its state, or null when there is no such
    /// job, or <see cref="Locked"/> when another transaction held it for longer than <see cref="DeleteLockTimeout"/>:
    /// a caller's transaction that enqueues a continuation of the job holds it until it ends, and a delete must wait
    /// for that, but not for as long as the caller likes.
    /// </summary>
    public async Task<string?> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var batch = await CreateBatchAsync(cancellationToken,
            "SELECT set_config('lock_timeout', @lock_timeout, true)",
            """
            WITH target AS (SELECT id, state FROM jobplatform.jobs WHERE id = @id FOR UPDATE),
            deleted AS (DELETE FROM jobplatform.jobs j USING target WHERE j.id = target.id AND target.state <> 'processing')
            SELECT state FROM target
            """);
        batch.EnableErrorBarriers = false; // one transaction: the timeout applies to the delete
        batch.BatchCommands[0].Parameters.Add(new NpgsqlParameter<string>("lock_timeout", $"{(int)DeleteLockTimeout.TotalMilliseconds}ms"));
        batch.BatchCommands[1].Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken); // past set_config's row
            return await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            return Locked;
        }
    }

    /// <summary>Pauses or resumes a queue; resuming wakes the servers.</summary>
    public async Task SetQueuePausedAsync(string queue, bool paused, CancellationToken cancellationToken)
    {
        await using var batch = await CreateBatchAsync(cancellationToken, paused
            ? "INSERT INTO jobplatform.paused_queues (queue, paused_at) VALUES (@queue, now()) ON CONFLICT DO NOTHING"
            : "DELETE FROM jobplatform.paused_queues WHERE queue = @queue",
            NotifyEnqueuedSql);
        batch.BatchCommands[0].Parameters.Add(new NpgsqlParameter<string>("queue", queue));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The statement of <see cref="CountByQueueAsync"/>.</summary>
    internal static readonly string CountByQueueSql = $"""
        SELECT COALESCE(c.queue, p.queue), c.state, COALESCE(c.n, 0), p.queue IS NOT NULL
        FROM ({JobCountsSql}) c
        FULL JOIN jobplatform.paused_queues p ON p.queue = c.queue
        ORDER BY 1, 2
        """;

    /// <summary>
    /// Jobs per queue and state, and which queues are paused (a queue with no jobs shows if it is paused), from the
    /// counts the database keeps (<see cref="JobCountsSql"/>): the cost follows the queues, not the jobs.
    /// </summary>
    public async Task<List<(string Queue, string? State, long Count, bool Paused)>> CountByQueueAsync(CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync(CountByQueueSql, cancellationToken);
        var rows = new List<(string, string?, long, bool)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2), reader.GetBoolean(3)));
        return rows;
    }

    /// <summary>The statement of <see cref="FinishedPerMinuteAsync"/>.</summary>
    internal static readonly string FinishedPerMinuteSql = $"""
        SELECT minute, COALESCE(sum(n) FILTER (WHERE state = 'succeeded'), 0)::bigint,
               COALESCE(sum(n) FILTER (WHERE state = 'failed'), 0)::bigint, COALESCE(sum(n) FILTER (WHERE state = 'cancelled'), 0)::bigint
        FROM ({FinishedMinutesSql}) f
        GROUP BY minute ORDER BY minute
        """;

    /// <summary>
    /// Finished jobs per minute of the last <paramref name="window"/> (from the start of the minute it began in), by
    /// outcome, from the per-minute counts the database keeps (<see cref="FinishedMinutesSql"/>): the cost follows the
    /// minutes, not the jobs finished in them.
    /// </summary>
    public async Task<List<(DateTimeOffset Minute, long Succeeded, long Failed, long Cancelled)>> FinishedPerMinuteAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync(FinishedPerMinuteSql, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("window", window));
        var rows = new List<(DateTimeOffset, long, long, long)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add((reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
        return rows;
    }
}
