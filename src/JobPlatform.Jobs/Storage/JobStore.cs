using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace JobPlatform.Jobs.Storage;

/// <summary>
/// The driver boundary: every statement the engine sends to PostgreSQL on its hot paths lives here.
/// It borrows the connection (and any transaction) of the scoped <see cref="JobsDbContext"/>, so pooling,
/// retries and tracing are whatever the host configured for that context. Times are the database's clock
/// (<c>now()</c>), the one clock all nodes share. An outcome is written only while the caller still holds
/// the claim: the fencing token must match, so a server whose lease expired cannot overwrite a rescued job.
/// </summary>
public sealed class JobStore
{
    private readonly JobsDbContext? _db;
    private readonly NpgsqlTransaction? _transaction;

    public JobStore(JobsDbContext db) => _db = db;

    private JobStore(NpgsqlTransaction transaction) => _transaction = transaction;

    /// <summary>A store whose statements run in the caller's transaction (enqueue as part of a business change).</summary>
    public static JobStore In(NpgsqlTransaction transaction) =>
        new(transaction ?? throw new ArgumentNullException(nameof(transaction)));

    public const string EnqueuedChannel = "jobplatform_enqueued";
    public const string CancelChannel = "jobplatform_cancel";

    private const string Unfinished = "('scheduled','enqueued','processing','awaiting')";
    private const string Finished = "('succeeded','failed','cancelled')";

    /// <summary>SQL for the error of a continuation that will not run, given SQL for its parent, the parent's state and the condition.</summary>
    private static string SkippedReason(string parent, string parentState, string condition) =>
        $"'Skipped: parent job ' || {parent}::text || ' ' || COALESCE('ended ' || {parentState}, 'no longer exists')" +
        $" || ', and this continuation runs only if it ' || {condition} || '.'";

    /// <summary>
    /// Inserts a job with its type's defaults. Returns its id and queue; for a unique key that an unfinished
    /// job holds, that job's id with <c>Queue</c> null; null when no worker registered the type.
    /// </summary>
    public async Task<(Guid Id, string? Queue)?> InsertAsync(NewJob job, CancellationToken cancellationToken)
    {
        // A unique key's holder may finish between the insert and the look-up; then the insert is tried again.
        for (var round = 0; round < 3; round++)
        {
            // A continuation locks its parent (FOR SHARE) so that the parent cannot end unseen between
            // this look at its state and the insert: either it has ended (decide now) or it will find this
            // row waiting when it does.
            await using (var insert = await CreateCommandAsync($"""
                WITH parent AS (SELECT state FROM jobplatform.jobs WHERE id = @parent_id FOR SHARE)
                INSERT INTO jobplatform.jobs
                    (id, type, queue, state, priority, payload, attempt, max_attempts, run_at, created_at, finished_at,
                     fencing_token, trace_parent, unique_key, tags, timeout, retry_intervals, parent_id, continue_on, error)
                SELECT @id, t.name, COALESCE(@queue, t.queue), s.state,
                       @priority, @payload::jsonb, 0, COALESCE(@max_attempts, t.max_attempts),
                       d.due, now(), CASE WHEN s.state = 'cancelled' THEN now() END,
                       0, @trace_parent, @unique_key, @tags, @timeout, @retry_intervals, @parent_id, @continue_on,
                       CASE WHEN s.state = 'cancelled' THEN {SkippedReason("@parent_id", "p.state", "@continue_on")} END
                FROM jobplatform.job_types t
                CROSS JOIN LATERAL (SELECT COALESCE(@run_at, now() + COALESCE(@delay, interval '0')) AS due) d
                LEFT JOIN parent p ON true
                CROSS JOIN LATERAL (SELECT CASE
                    WHEN @parent_id IS NULL OR @continue_on = 'always' AND p.state IN {Finished}
                                            OR @continue_on = p.state THEN
                        CASE WHEN d.due <= now() THEN 'enqueued' ELSE 'scheduled' END
                    WHEN p.state IN {Finished} OR p.state IS NULL THEN 'cancelled'
                    ELSE 'awaiting' END AS state) s
                WHERE t.name = @type
                ON CONFLICT (unique_key) WHERE {JobsDbContext.ActiveUniqueKeyFilter} DO NOTHING
                RETURNING id, queue
                """, cancellationToken))
            {
                var p = insert.Parameters;
                p.Add(new NpgsqlParameter<Guid>("id", job.Id));
                p.Add(new NpgsqlParameter<string>("type", job.Type));
                p.Add(Nullable("queue", NpgsqlDbType.Text, job.Queue));
                p.Add(new NpgsqlParameter<int>("priority", job.Priority));
                p.Add(new NpgsqlParameter<string>("payload", job.PayloadJson));
                p.Add(Nullable("max_attempts", NpgsqlDbType.Integer, job.MaxAttempts));
                p.Add(Nullable("run_at", NpgsqlDbType.TimestampTz, job.RunAt?.UtcDateTime));
                p.Add(Nullable("delay", NpgsqlDbType.Interval, job.Delay));
                p.Add(Nullable("trace_parent", NpgsqlDbType.Text, job.TraceParent));
                p.Add(Nullable("unique_key", NpgsqlDbType.Text, job.UniqueKey));
                p.Add(new NpgsqlParameter<string[]>("tags", job.Tags));
                p.Add(Nullable("timeout", NpgsqlDbType.Interval, job.Timeout));
                p.Add(Nullable("retry_intervals", NpgsqlDbType.Array | NpgsqlDbType.Interval, job.RetryIntervals));
                p.Add(Nullable("parent_id", NpgsqlDbType.Uuid, job.ParentId));
                p.Add(Nullable("continue_on", NpgsqlDbType.Text, job.ContinueOn));
                await using var inserted = await insert.ExecuteReaderAsync(cancellationToken);
                if (await inserted.ReadAsync(cancellationToken)) return (inserted.GetGuid(0), inserted.GetString(1));
            }

            await using var lookup = await CreateCommandAsync($"""
                SELECT EXISTS (SELECT 1 FROM jobplatform.job_types WHERE name = @type),
                       (SELECT id FROM jobplatform.jobs WHERE unique_key = @unique_key AND state IN {Unfinished})
                """, cancellationToken);
            lookup.Parameters.Add(new NpgsqlParameter<string>("type", job.Type));
            lookup.Parameters.Add(Nullable("unique_key", NpgsqlDbType.Text, job.UniqueKey));
            await using var reader = await lookup.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (!reader.GetBoolean(0)) return null;
            if (!reader.IsDBNull(1)) return (reader.GetGuid(1), null);
        }
        throw new InvalidOperationException($"Could not enqueue a job with unique key '{job.UniqueKey}': it kept changing hands.");
    }

    /// <summary>
    /// Inserts many jobs of one type with binary COPY: one round trip for the lot, one NOTIFY (by the
    /// statement trigger). <paramref name="template"/> gives the shared options (its Id and payload are
    /// ignored; unique keys do not apply to bulk inserts). Returns the number inserted and their queue, or
    /// null when no worker registered the type.
    /// </summary>
    public async Task<(long Count, string Queue)?> CopyAsync(NewJob template, IEnumerable<(Guid Id, string Payload)> jobs, CancellationToken cancellationToken)
    {
        string queue;
        int maxAttempts;
        DateTime now;
        await using (var lookup = await CreateCommandAsync(
            "SELECT queue, max_attempts, now() FROM jobplatform.job_types WHERE name = @type", cancellationToken))
        {
            lookup.Parameters.Add(new NpgsqlParameter<string>("type", template.Type));
            await using var reader = await lookup.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) return null;
            queue = template.Queue ?? reader.GetString(0);
            maxAttempts = template.MaxAttempts ?? reader.GetInt32(1);
            now = reader.GetDateTime(2);
        }

        var due = template.RunAt?.UtcDateTime ?? now + (template.Delay ?? TimeSpan.Zero);
        var state = due <= now ? JobStateNames.Enqueued : JobStateNames.Scheduled;
        var connection = await OpenConnectionAsync(cancellationToken);
        await using var importer = await connection.BeginBinaryImportAsync("""
            COPY jobplatform.jobs (id, type, queue, state, priority, payload, attempt, max_attempts, run_at, created_at,
                                   fencing_token, trace_parent, tags, timeout, retry_intervals)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        foreach (var (id, payload) in jobs)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken);
            await importer.WriteAsync(template.Type, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(queue, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(state, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(template.Priority, NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync(payload, NpgsqlDbType.Jsonb, cancellationToken);
            await importer.WriteAsync(0, NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync(maxAttempts, NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync(due, NpgsqlDbType.TimestampTz, cancellationToken);
            await importer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
            await importer.WriteAsync(0L, NpgsqlDbType.Bigint, cancellationToken);
            await WriteNullableAsync(importer, template.TraceParent, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(template.Tags, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(importer, template.Timeout, NpgsqlDbType.Interval, cancellationToken);
            await WriteNullableAsync(importer, template.RetryIntervals, NpgsqlDbType.Array | NpgsqlDbType.Interval, cancellationToken);
        }
        return ((long)await importer.CompleteAsync(cancellationToken), queue);
    }

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="limit"/> due jobs of one queue and the given types. Rows locked by
    /// another claimer are skipped, so servers never wait on each other nor take the same job. One queue (an
    /// equality, not ANY) lets PostgreSQL read ix_jobs_due in order and stop after the rows it takes.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(
        string owner, string queue, IReadOnlyList<string> types, int limit, TimeSpan lease,
        CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("""
            UPDATE jobplatform.jobs j
            SET state = 'processing', attempt = j.attempt + 1, started_at = now(), finished_at = NULL,
                lease_owner = @owner, lease_expires_at = now() + @lease,
                fencing_token = nextval('jobplatform.fencing_tokens')
            WHERE j.id IN (
                SELECT id FROM jobplatform.jobs
                WHERE state IN ('enqueued', 'scheduled') AND run_at <= now()
                  AND queue = @queue AND type = ANY(@types)
                ORDER BY priority DESC, run_at, id
                LIMIT @limit
                FOR UPDATE SKIP LOCKED)
            RETURNING j.id, j.type, j.queue, j.payload::text, j.attempt, j.max_attempts, j.fencing_token,
                      j.run_at, j.started_at, j.trace_parent, j.tags, j.timeout, j.retry_intervals
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<string>("owner", owner));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("lease", lease));
        command.Parameters.Add(new NpgsqlParameter<string>("queue", queue));
        command.Parameters.Add(new NpgsqlParameter<string[]>("types", [.. types]));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));

        var claimed = new List<ClaimedJob>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedJob(
                reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetInt32(4), reader.GetInt32(5), reader.GetInt64(6),
                reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : reader.GetString(9))
            {
                Tags = reader.GetFieldValue<string[]>(10),
                Timeout = reader.IsDBNull(11) ? null : reader.GetFieldValue<TimeSpan>(11),
                RetryIntervals = reader.IsDBNull(12) ? null : reader.GetFieldValue<TimeSpan[]>(12),
            });
        }
        return claimed;
    }

    /// <summary>Records success; false when the claim is no longer ours (the fencing token moved on).</summary>
    public async Task<bool> CompleteAsync(Guid id, long fencingToken, string server, CancellationToken cancellationToken) =>
        (await CompleteManyAsync([(id, fencingToken)], server, cancellationToken)).Contains(id);

    /// <summary>
    /// Records many successes in one statement (one commit for the lot): each job's state, its history row,
    /// and its continuations. Returns the ids written; the others' claims were no longer ours.
    /// </summary>
    public async Task<IReadOnlySet<Guid>> CompleteManyAsync(
        IReadOnlyCollection<(Guid Id, long FencingToken)> jobs, string server, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync($"""
            WITH input AS (SELECT * FROM unnest(@ids, @tokens) AS i(id, token)),
            done AS (
                UPDATE jobplatform.jobs j
                SET state = 'succeeded', finished_at = now(), error = NULL, lease_owner = NULL, lease_expires_at = NULL
                FROM input
                WHERE j.id = input.id AND j.fencing_token = input.token AND j.state = 'processing'
                RETURNING j.id, j.attempt, j.started_at),
            history AS (
                INSERT INTO jobplatform.job_attempts (job_id, attempt, server, started_at, finished_at, outcome)
                SELECT id, attempt, @server, started_at, now(), 'succeeded' FROM done
                ON CONFLICT DO NOTHING)
            SELECT id FROM done;
            {ReleaseContinuationsSql("c2.parent_id = ANY(@ids)")}
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", [.. jobs.Select(j => j.Id)]));
        command.Parameters.Add(new NpgsqlParameter<long[]>("tokens", [.. jobs.Select(j => j.FencingToken)]));
        command.Parameters.Add(new NpgsqlParameter<string>("server", server));

        var written = new HashSet<Guid>();
        List<Guid> skipped;
        bool released;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) written.Add(reader.GetGuid(0));
            await reader.NextResultAsync(cancellationToken);
            (skipped, released) = await ReadReleasedAsync(reader, cancellationToken);
        }
        if (skipped.Count > 0) await ReleaseContinuationsAsync(skipped, cancellationToken);
        if (released) await NotifyEnqueuedAsync(cancellationToken);
        return written;
    }

    /// <summary>Records a cancelled attempt (someone asked for it); false when the claim is no longer ours.</summary>
    public async Task<bool> CancelledAsync(Guid id, long fencingToken, string server, AttemptError error, CancellationToken cancellationToken) =>
        await FinishAsync(id, fencingToken, server, "'cancelled'", "cancelled", error, cancellationToken) is not null;

    /// <summary>
    /// Records a failed attempt: back to <c>scheduled</c> after <paramref name="retryDelay"/> while attempts
    /// remain, the error is <paramref name="retryable"/> and no cancel was asked for; else <c>failed</c>.
    /// Returns the state written, or null when the claim is no longer ours.
    /// </summary>
    public async Task<JobState?> FailAsync(
        Guid id, long fencingToken, string server, AttemptError error, bool retryable, TimeSpan retryDelay,
        CancellationToken cancellationToken)
    {
        var retry = retryable ? $"attempt < max_attempts AND cancel_requested_at IS NULL" : "false";
        var state = await FinishAsync(id, fencingToken, server,
            $"CASE WHEN {retry} THEN 'scheduled' WHEN cancel_requested_at IS NOT NULL THEN 'cancelled' ELSE 'failed' END",
            error.Outcome, error, cancellationToken, retryDelay);
        return state is null ? null : JobStateNames.Parse(state);
    }

    /// <summary>
    /// Gives back a claimed job that was not run to the end because this server is stopping: the attempt
    /// does not count, and any other server may claim it at once.
    /// </summary>
    public async Task<bool> ReleaseAsync(Guid id, long fencingToken, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync($"""
            WITH released AS (
                UPDATE jobplatform.jobs
                SET state = 'enqueued', attempt = attempt - 1, started_at = NULL, lease_owner = NULL, lease_expires_at = NULL
                WHERE id = @id AND fencing_token = @token AND state = 'processing'
                RETURNING id)
            SELECT (SELECT count(*)::int FROM released), pg_notify('{EnqueuedChannel}', '')
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        command.Parameters.Add(new NpgsqlParameter<long>("token", fencingToken));
        return await command.ExecuteScalarAsync(cancellationToken) is 1;
    }

    /// <summary>Stores a running job's progress; false when the claim is no longer ours.</summary>
    public async Task<bool> ReportProgressAsync(Guid id, long fencingToken, int percent, string? message, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("""
            UPDATE jobplatform.jobs SET progress_percent = @percent, progress_message = @message
            WHERE id = @id AND fencing_token = @token AND state = 'processing'
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        command.Parameters.Add(new NpgsqlParameter<long>("token", fencingToken));
        command.Parameters.Add(new NpgsqlParameter<short>("percent", (short)Math.Clamp(percent, 0, 100)));
        command.Parameters.Add(Nullable("message", NpgsqlDbType.Text, message));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Cancels a waiting job, or marks a running one for cancellation and tells its server through
    /// NOTIFY. Null when there is no such job.
    /// </summary>
    public async Task<(JobState Previous, JobState Now)?> CancelAsync(Guid id, string reason, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync($"""
            WITH target AS (SELECT id, state FROM jobplatform.jobs WHERE id = @id FOR UPDATE),
            changed AS (
                UPDATE jobplatform.jobs j
                SET state = CASE WHEN target.state = 'processing' THEN j.state ELSE 'cancelled' END,
                    finished_at = CASE WHEN target.state = 'processing' THEN j.finished_at ELSE now() END,
                    error = CASE WHEN target.state = 'processing' THEN j.error ELSE @reason END,
                    cancel_requested_at = now()
                FROM target
                WHERE j.id = target.id AND target.state IN {Unfinished}
                RETURNING j.state)
            SELECT target.state, COALESCE((SELECT state FROM changed), target.state) FROM target;
            SELECT pg_notify('{CancelChannel}', @id::text)
            FROM jobplatform.jobs WHERE id = @id AND state = 'processing';
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        command.Parameters.Add(new NpgsqlParameter<string>("reason", reason));
        (JobState Previous, JobState Now) result;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return null;
            result = (JobStateNames.Parse(reader.GetString(0)), JobStateNames.Parse(reader.GetString(1)));
        }
        if (result.Previous != result.Now) await ReleaseContinuationsAsync([id], cancellationToken);
        return result;
    }

    /// <summary>
    /// Extends the leases of the jobs this server is still running; returns those of them that someone
    /// asked to cancel (a fallback for a missed notification).
    /// </summary>
    public async Task<IReadOnlyList<Guid>> RenewLeasesAsync(string owner, IReadOnlyCollection<Guid> ids, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return [];
        await using var command = await CreateCommandAsync("""
            UPDATE jobplatform.jobs SET lease_expires_at = now() + @lease
            WHERE id = ANY(@ids) AND lease_owner = @owner AND state = 'processing'
            RETURNING id, cancel_requested_at IS NOT NULL
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("lease", lease));
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", [.. ids]));
        command.Parameters.Add(new NpgsqlParameter<string>("owner", owner));
        var cancelled = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            if (reader.GetBoolean(1)) cancelled.Add(reader.GetGuid(0));
        return cancelled;
    }

    /// <summary>
    /// Returns jobs whose lease expired (their server died or hung) to <c>enqueued</c>, or fails them when
    /// their attempts are spent (cancels them when a cancel was asked for). The lost attempt is kept in the
    /// history as <c>rescued</c>. The fencing token moves on at the next claim, so a late outcome from the
    /// old owner is refused.
    /// </summary>
    public async Task<int> RescueExpiredAsync(CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("""
            WITH expired AS (
                SELECT id, lease_owner FROM jobplatform.jobs
                WHERE state = 'processing' AND lease_expires_at < now()
                FOR UPDATE SKIP LOCKED),
            rescued AS (
                UPDATE jobplatform.jobs j
                SET state = CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled'
                                 WHEN j.attempt < j.max_attempts THEN 'enqueued' ELSE 'failed' END,
                    finished_at = CASE WHEN j.cancel_requested_at IS NULL AND j.attempt < j.max_attempts THEN NULL ELSE now() END,
                    error = 'The lease of ' || expired.lease_owner || ' expired before the attempt finished.',
                    lease_owner = NULL, lease_expires_at = NULL
                FROM expired WHERE j.id = expired.id
                RETURNING j.id, j.attempt, j.started_at, j.error, expired.lease_owner),
            history AS (
                INSERT INTO jobplatform.job_attempts (job_id, attempt, server, started_at, finished_at, outcome, error_type, error_message)
                SELECT id, attempt, lease_owner, started_at, now(), 'rescued', 'LeaseExpired', error FROM rescued
                ON CONFLICT DO NOTHING)
            SELECT count(*)::int FROM rescued
            """, cancellationToken);
        var rescued = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        if (rescued > 0) await NotifyEnqueuedAsync(cancellationToken);
        return rescued;
    }

    /// <summary>Deletes up to <paramref name="batchSize"/> jobs in <paramref name="state"/> that finished more than <paramref name="keep"/> ago.</summary>
    public async Task<int> DeleteFinishedAsync(string state, TimeSpan keep, int batchSize, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("""
            DELETE FROM jobplatform.jobs WHERE id IN (
                SELECT id FROM jobplatform.jobs
                WHERE state = @state AND finished_at < now() - @keep
                ORDER BY finished_at LIMIT @batch
                FOR UPDATE SKIP LOCKED)
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<string>("state", state));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("keep", keep));
        command.Parameters.Add(new NpgsqlParameter<int>("batch", batchSize));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The names of the registered job types, for an unknown-type error.</summary>
    public async Task<IReadOnlyList<string>> GetJobTypeNamesAsync(CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("SELECT name FROM jobplatform.job_types ORDER BY name", cancellationToken);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>Registers (or refreshes) the job types a worker offers.</summary>
    public async Task UpsertJobTypesAsync(IEnumerable<JobTypeRecord> types, CancellationToken cancellationToken)
    {
        foreach (var type in types)
        {
            await using var command = await CreateCommandAsync("""
                INSERT INTO jobplatform.job_types (name, queue, max_attempts, payload_schema, updated_at)
                VALUES (@name, @queue, @max_attempts, @schema::jsonb, now())
                ON CONFLICT (name) DO UPDATE
                SET queue = excluded.queue, max_attempts = excluded.max_attempts,
                    payload_schema = excluded.payload_schema, updated_at = excluded.updated_at
                """, cancellationToken);
            command.Parameters.Add(new NpgsqlParameter<string>("name", type.Name));
            command.Parameters.Add(new NpgsqlParameter<string>("queue", type.Queue));
            command.Parameters.Add(new NpgsqlParameter<int>("max_attempts", type.MaxAttempts));
            command.Parameters.Add(new NpgsqlParameter<string>("schema", type.PayloadSchema));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Records that a server is alive, with what it runs now, and forgets servers silent for too long.</summary>
    public async Task HeartbeatAsync(ServerRecord server, TimeSpan forgetAfter, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("""
            INSERT INTO jobplatform.servers (id, host, queues, concurrency, in_flight, endpoint, started_at, heartbeat_at)
            VALUES (@id, @host, @queues, @concurrency, @in_flight, @endpoint, now(), now())
            ON CONFLICT (id) DO UPDATE
            SET queues = excluded.queues, concurrency = excluded.concurrency, in_flight = excluded.in_flight,
                endpoint = excluded.endpoint, heartbeat_at = excluded.heartbeat_at;
            DELETE FROM jobplatform.servers WHERE heartbeat_at < now() - @forget_after;
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<string>("id", server.Id));
        command.Parameters.Add(new NpgsqlParameter<string>("host", server.Host));
        command.Parameters.Add(new NpgsqlParameter<string[]>("queues", server.Queues));
        command.Parameters.Add(new NpgsqlParameter<int>("concurrency", server.Concurrency));
        command.Parameters.Add(new NpgsqlParameter<int>("in_flight", server.InFlight));
        command.Parameters.Add(Nullable("endpoint", NpgsqlDbType.Text, server.Endpoint));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("forget_after", forgetAfter));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Removes a server that stops cleanly, so it does not linger in the list until pruned.</summary>
    public async Task RemoveServerAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("DELETE FROM jobplatform.servers WHERE id = @id", cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<string>("id", id));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Ends the attempt the caller holds, in one statement: the job's new state and its history row.</summary>
    private async Task<string?> FinishAsync(
        Guid id, long fencingToken, string server, string stateSql, string outcome, AttemptError? error,
        CancellationToken cancellationToken, TimeSpan retryDelay = default)
    {
        await using var command = await CreateCommandAsync($"""
            WITH done AS (
                UPDATE jobplatform.jobs
                SET state = {stateSql},
                    run_at = CASE WHEN {stateSql} = 'scheduled' THEN now() + @delay ELSE run_at END,
                    finished_at = CASE WHEN {stateSql} = 'scheduled' THEN NULL ELSE now() END,
                    error = @error, lease_owner = NULL, lease_expires_at = NULL
                WHERE id = @id AND fencing_token = @token AND state = 'processing'
                RETURNING id, attempt, started_at, state),
            history AS (
                INSERT INTO jobplatform.job_attempts
                    (job_id, attempt, server, started_at, finished_at, outcome, error_type, error_message, stack_trace)
                SELECT id, attempt, @server, started_at, now(), @outcome, @error_type, @error_message, @stack_trace FROM done
                ON CONFLICT DO NOTHING)
            SELECT state FROM done;
            {ReleaseContinuationsSql("c2.parent_id = @id")}
            """, cancellationToken);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<Guid>("id", id));
        p.Add(new NpgsqlParameter<long>("token", fencingToken));
        p.Add(new NpgsqlParameter<TimeSpan>("delay", retryDelay));
        p.Add(new NpgsqlParameter<string>("server", server));
        p.Add(new NpgsqlParameter<string>("outcome", outcome));
        p.Add(Nullable("error", NpgsqlDbType.Text, error?.Summary));
        p.Add(Nullable("error_type", NpgsqlDbType.Text, error?.Type));
        p.Add(Nullable("error_message", NpgsqlDbType.Text, error?.Message));
        p.Add(Nullable("stack_trace", NpgsqlDbType.Text, error?.StackTrace));
        string? state = null;
        List<Guid> skipped;
        bool released;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken)) state = reader.GetString(0);
            await reader.NextResultAsync(cancellationToken);
            (skipped, released) = await ReadReleasedAsync(reader, cancellationToken);
        }
        if (skipped.Count > 0) await ReleaseContinuationsAsync(skipped, cancellationToken);
        if (released) await NotifyEnqueuedAsync(cancellationToken);
        return state;
    }

    /// <summary>
    /// Starts or skips the continuations of jobs that have ended: those of <paramref name="parents"/>, or with
    /// null every waiting continuation whose parent ended or no longer exists (the periodic safety net).
    /// A skipped continuation ends as cancelled, which may skip its own continuations in turn.
    /// </summary>
    public async Task<int> ReleaseContinuationsAsync(IReadOnlyCollection<Guid>? parents, CancellationToken cancellationToken)
    {
        var total = 0;
        var anyReleased = false;
        while (parents is null || parents.Count > 0)
        {
            await using var command = await CreateCommandAsync(
                ReleaseContinuationsSql(parents is null ? "true" : "c2.parent_id = ANY(@parents)"), cancellationToken);
            if (parents is not null) command.Parameters.Add(new NpgsqlParameter<Guid[]>("parents", [.. parents]));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var (skipped, released) = await ReadReleasedAsync(reader, cancellationToken);
            total += reader.RecordsAffected;
            anyReleased |= released;
            if (skipped.Count == 0) break;
            parents = skipped;
        }
        if (anyReleased) await NotifyEnqueuedAsync(cancellationToken);
        return total;
    }

    /// <summary>
    /// Moves waiting continuations whose parent has ended (or vanished) on: to enqueued when the parent's
    /// outcome matches their condition, else to cancelled with the reason. Returns (id, new state).
    /// </summary>
    /// <param name="which">A condition on <c>c2</c>, the waiting continuation.</param>
    private static string ReleaseContinuationsSql(string which) => $"""
        UPDATE jobplatform.jobs c
        SET state = x.state,
            run_at = CASE WHEN x.state = 'cancelled' THEN c.run_at ELSE GREATEST(c.run_at, now()) END,
            finished_at = CASE WHEN x.state = 'cancelled' THEN now() END,
            error = CASE WHEN x.state = 'cancelled' THEN {SkippedReason("c.parent_id", "p.state", "c.continue_on")} END
        FROM jobplatform.jobs c2
        LEFT JOIN jobplatform.jobs p ON p.id = c2.parent_id
        CROSS JOIN LATERAL (SELECT CASE
            WHEN p.state IS NOT NULL AND p.state NOT IN {Finished} THEN NULL
            WHEN c2.continue_on = 'always' AND p.state IS NOT NULL OR c2.continue_on = p.state THEN 'enqueued'
            ELSE 'cancelled' END AS state) x
        WHERE c.id = c2.id AND c2.state = 'awaiting' AND x.state IS NOT NULL AND {which}
        RETURNING c.id, c.state
        """;

    private static async Task<(List<Guid> Skipped, bool Released)> ReadReleasedAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var skipped = new List<Guid>();
        var released = false;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.GetString(1) == JobStateNames.Cancelled) skipped.Add(reader.GetGuid(0));
            else released = true;
        }
        return (skipped, released);
    }

    /// <summary>Wakes idle servers: jobs became claimable other than by an insert (which notifies by trigger).</summary>
    public async Task NotifyEnqueuedAsync(CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync($"SELECT pg_notify('{EnqueuedChannel}', '')", cancellationToken);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter Nullable(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };

    private async Task<NpgsqlCommand> CreateCommandAsync(string sql, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        // The caller's transaction, or one opened on the engine's own context, if any.
        command.Transaction = _transaction ?? _db!.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction;
        return command;
    }

    private async Task<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        if (_transaction is not null)
            return _transaction.Connection
                ?? throw new InvalidOperationException("The transaction has already been committed or rolled back.");

        var connection = (NpgsqlConnection)_db!.Database.GetDbConnection();
        // EF closes the connection when the context is disposed or returned to its pool.
        if (connection.State != ConnectionState.Open) await _db.Database.OpenConnectionAsync(cancellationToken);
        return connection;
    }
}
