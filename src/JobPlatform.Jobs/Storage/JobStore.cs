using System.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace JobPlatform.Jobs.Storage;

/// <summary>
/// The driver boundary: every statement the engine sends to PostgreSQL on its hot paths lives here.
/// It borrows the connection of the scoped <see cref="JobsDbContext"/>, so pooling, retries and
/// tracing are whatever the host configured for that context. Times are the database's clock
/// (<c>now()</c>), the one clock all nodes share.
/// </summary>
public sealed class JobStore(JobsDbContext db)
{
    /// <summary>Inserts a job with its type's defaults; returns its queue, or null when no worker registered the type.</summary>
    public async Task<string?> InsertAsync(
        Guid id, string type, string payloadJson, string? queue, int priority, int? maxAttempts,
        DateTimeOffset? runAt, string? traceParent, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("""
            INSERT INTO jobplatform.jobs
                (id, type, queue, state, priority, payload, attempt, max_attempts, run_at, created_at, fencing_token, trace_parent)
            SELECT @id, t.name, COALESCE(@queue, t.queue),
                   CASE WHEN @run_at IS NULL OR @run_at <= now() THEN 'enqueued' ELSE 'scheduled' END,
                   @priority, @payload::jsonb, 0, COALESCE(@max_attempts, t.max_attempts),
                   COALESCE(@run_at, now()), now(), 0, @trace_parent
            FROM jobplatform.job_types t
            WHERE t.name = @type
            RETURNING queue
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        command.Parameters.Add(new NpgsqlParameter<string>("type", type));
        command.Parameters.Add(new NpgsqlParameter("queue", NpgsqlDbType.Text) { Value = (object?)queue ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter<int>("priority", priority));
        command.Parameters.Add(new NpgsqlParameter<string>("payload", payloadJson));
        command.Parameters.Add(new NpgsqlParameter("max_attempts", NpgsqlDbType.Integer) { Value = (object?)maxAttempts ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("run_at", NpgsqlDbType.TimestampTz) { Value = (object?)runAt?.UtcDateTime ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("trace_parent", NpgsqlDbType.Text) { Value = (object?)traceParent ?? DBNull.Value });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> due jobs of the given queues and types. Rows locked by
    /// another claimer are skipped, so servers never wait on each other nor take the same job.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(
        string owner, IReadOnlyList<string> queues, IReadOnlyList<string> types, int limit, TimeSpan lease,
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
                  AND queue = ANY(@queues) AND type = ANY(@types)
                ORDER BY priority DESC, run_at, id
                LIMIT @limit
                FOR UPDATE SKIP LOCKED)
            RETURNING j.id, j.type, j.queue, j.payload::text, j.attempt, j.max_attempts, j.fencing_token,
                      j.run_at, j.started_at, j.trace_parent
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<string>("owner", owner));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("lease", lease));
        command.Parameters.Add(new NpgsqlParameter<string[]>("queues", [.. queues]));
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
                reader.IsDBNull(9) ? null : reader.GetString(9)));
        }
        return claimed;
    }

    /// <summary>Records success; false when the claim is no longer ours (the fencing token moved on).</summary>
    public async Task<bool> CompleteAsync(Guid id, long fencingToken, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("""
            UPDATE jobplatform.jobs
            SET state = 'succeeded', finished_at = now(), error = NULL, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = @id AND fencing_token = @token AND state = 'processing'
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        command.Parameters.Add(new NpgsqlParameter<long>("token", fencingToken));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Records a failed attempt: back to <c>scheduled</c> after <paramref name="retryDelay"/> while attempts
    /// remain (and <paramref name="retryable"/>), else <c>failed</c>. Returns the state written, or null when
    /// the claim is no longer ours.
    /// </summary>
    public async Task<JobState?> FailAsync(
        Guid id, long fencingToken, string error, bool retryable, TimeSpan retryDelay, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("""
            UPDATE jobplatform.jobs
            SET state = CASE WHEN @retryable AND attempt < max_attempts THEN 'scheduled' ELSE 'failed' END,
                run_at = CASE WHEN @retryable AND attempt < max_attempts THEN now() + @delay ELSE run_at END,
                finished_at = CASE WHEN @retryable AND attempt < max_attempts THEN NULL ELSE now() END,
                error = @error, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = @id AND fencing_token = @token AND state = 'processing'
            RETURNING state
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        command.Parameters.Add(new NpgsqlParameter<long>("token", fencingToken));
        command.Parameters.Add(new NpgsqlParameter<string>("error", error));
        command.Parameters.Add(new NpgsqlParameter<bool>("retryable", retryable));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("delay", retryDelay));
        return await command.ExecuteScalarAsync(cancellationToken) is string state ? JobStateNames.Parse(state) : null;
    }

    /// <summary>
    /// Gives back a claimed job that was not run to the end because this server is stopping: the attempt
    /// does not count, and any other server may claim it at once.
    /// </summary>
    public async Task<bool> ReleaseAsync(Guid id, long fencingToken, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("""
            UPDATE jobplatform.jobs
            SET state = 'enqueued', attempt = attempt - 1, started_at = NULL, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = @id AND fencing_token = @token AND state = 'processing'
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        command.Parameters.Add(new NpgsqlParameter<long>("token", fencingToken));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Extends the leases of the jobs this server is still running.</summary>
    public async Task<int> RenewLeasesAsync(string owner, IReadOnlyCollection<Guid> ids, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return 0;
        await using var command = await CreateCommandAsync("""
            UPDATE jobplatform.jobs SET lease_expires_at = now() + @lease
            WHERE id = ANY(@ids) AND lease_owner = @owner AND state = 'processing'
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("lease", lease));
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", [.. ids]));
        command.Parameters.Add(new NpgsqlParameter<string>("owner", owner));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Returns jobs whose lease expired (their server died or hung) to <c>enqueued</c>, or fails them
    /// when their attempts are spent. The fencing token moves on at the next claim, so a late
    /// completion from the old owner is refused.
    /// </summary>
    public async Task<int> RescueExpiredAsync(CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("""
            UPDATE jobplatform.jobs
            SET state = CASE WHEN attempt < max_attempts THEN 'enqueued' ELSE 'failed' END,
                finished_at = CASE WHEN attempt < max_attempts THEN NULL ELSE now() END,
                error = 'The lease of ' || lease_owner || ' expired before the attempt finished.',
                lease_owner = NULL, lease_expires_at = NULL
            WHERE state = 'processing' AND lease_expires_at < now()
            """, cancellationToken);
        return await command.ExecuteNonQueryAsync(cancellationToken);
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
        command.Parameters.Add(new NpgsqlParameter("endpoint", NpgsqlDbType.Text) { Value = (object?)server.Endpoint ?? DBNull.Value });
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

    private async Task<NpgsqlCommand> CreateCommandAsync(string sql, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != ConnectionState.Open)
        {
            // EF closes the connection when the context is disposed or returned to its pool.
            await db.Database.OpenConnectionAsync(cancellationToken);
        }
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
