using Npgsql;
using NpgsqlTypes;

namespace JobPlatform.Jobs.Storage;

/// <summary>Job types, servers and retention.</summary>
public sealed partial class JobStore
{
    /// <summary>
    /// The retention statement (see <see cref="DeleteFinishedAsync"/>): one state's range of <c>ix_jobs_finished</c>,
    /// oldest first; the rows are then deleted by primary key (an array, not a join, which the planner may turn into a
    /// scan of the table for a thousand rows).
    /// </summary>
    internal const string DeleteFinishedSql = $"""
        DELETE FROM jobplatform.jobs WHERE id = ANY(ARRAY(
            SELECT j.id FROM jobplatform.jobs j
            -- The IN list lets a generic plan (@state unknown) use the partial index all the same.
            WHERE j.state = @state AND j.state IN {Finished} AND j.finished_at < now() - @keep
              AND (j.batch_id IS NULL OR NOT EXISTS (
                  SELECT 1 FROM jobplatform.batches b WHERE b.id = j.batch_id AND b.finished_at IS NULL))
            ORDER BY j.finished_at LIMIT @batch
            FOR UPDATE SKIP LOCKED))
        """;

    /// <summary>
    /// Deletes up to <paramref name="batchSize"/> jobs in <paramref name="state"/> that finished more than
    /// <paramref name="keep"/> ago — but none of a batch still open, whose callback will count them.
    /// </summary>
    public async Task<int> DeleteFinishedAsync(string state, TimeSpan keep, int batchSize, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync(DeleteFinishedSql, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<string>("state", state));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("keep", keep));
        command.Parameters.Add(new NpgsqlParameter<int>("batch", batchSize));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Registers (or refreshes) the job types a worker offers, with the cluster-wide limits it declares for them.
    /// Where servers disagree on a type's limits (a rolling deploy), the strictest declaration of the servers alive is
    /// the one in force: the lowest concurrency limit, the lowest rate (starts per second); a server declaring no
    /// limit loosens nothing. The limits are lifted or loosened only when the servers declaring them are gone.
    /// </summary>
    public async Task UpsertJobTypesAsync(string server, IEnumerable<JobTypeRecord> types, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        foreach (var type in types)
        {
            await using var command = await CreateCommandAsync("""
                INSERT INTO jobplatform.job_types (name, queue, max_attempts, max_rescues, payload_schema, updated_at)
                VALUES (@name, @queue, @max_attempts, @max_rescues, @schema::jsonb, now())
                ON CONFLICT (name) DO UPDATE
                SET queue = excluded.queue, max_attempts = excluded.max_attempts, max_rescues = excluded.max_rescues,
                    payload_schema = excluded.payload_schema, updated_at = excluded.updated_at;
                INSERT INTO jobplatform.job_type_declarations (type, server, concurrency_limit, rate_limit, rate_interval, seen_at)
                VALUES (@name, @server, @concurrency_limit, @rate_limit, @rate_interval, now())
                ON CONFLICT (type, server) DO UPDATE
                SET concurrency_limit = excluded.concurrency_limit, rate_limit = excluded.rate_limit,
                    rate_interval = excluded.rate_interval, seen_at = excluded.seen_at;
                """, cancellationToken);
            command.Parameters.Add(Nullable("concurrency_limit", NpgsqlDbType.Integer, type.ConcurrencyLimit));
            command.Parameters.Add(Nullable("rate_limit", NpgsqlDbType.Integer, type.RateLimit));
            command.Parameters.Add(Nullable("rate_interval", NpgsqlDbType.Interval, type.RateInterval));
            command.Parameters.Add(new NpgsqlParameter<string>("name", type.Name));
            command.Parameters.Add(new NpgsqlParameter<string>("server", server));
            command.Parameters.Add(new NpgsqlParameter<string>("queue", type.Queue));
            command.Parameters.Add(new NpgsqlParameter<int>("max_attempts", type.MaxAttempts));
            command.Parameters.Add(new NpgsqlParameter<int>("max_rescues", type.MaxRescues));
            command.Parameters.Add(new NpgsqlParameter<string>("schema", type.PayloadSchema));
            await command.ExecuteNonQueryAsync(cancellationToken);
            names.Add(type.Name);
        }
        await ApplyStrictestLimitsAsync(names, cancellationToken);
    }

    /// <summary>
    /// Sets the limits in force for <paramref name="types"/> from the declarations of the servers alive (see
    /// <see cref="UpsertJobTypesAsync"/>). The rows are locked in name order, as claims lock them, and only then, in a
    /// statement of its own (so a snapshot taken after the locks were granted), are the declarations read: read
    /// while waiting for a lock (a claim holds it), they could be older than another server's application that
    /// committed meanwhile, and this one would write back the limits that one had just corrected.
    /// </summary>
    private async Task ApplyStrictestLimitsAsync(IReadOnlyCollection<string> types, CancellationToken cancellationToken)
    {
        if (types.Count == 0) return;
        await using var command = await CreateCommandAsync($"""
            SELECT name FROM jobplatform.job_types WHERE name = ANY(@types) ORDER BY name FOR UPDATE;
            UPDATE jobplatform.job_types t
            SET concurrency_limit = s.concurrency_limit, rate_limit = s.rate_limit, rate_interval = s.rate_interval
            FROM ({StrictestLimitsSql("t.name = ANY(@types)")}) s
            WHERE t.name = s.name AND s.differs;
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<string[]>("types", [.. types]));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// For each job type matching <paramref name="filter"/> (a condition on <c>t</c>): the strictest limits its live servers declare (the lowest
    /// concurrency limit, the lowest rate), and whether they differ from the limits in force.
    /// </summary>
    private static string StrictestLimitsSql(string filter) => $"""
        SELECT t.name, c.concurrency_limit, r.rate_limit, r.rate_interval,
               (t.concurrency_limit, t.rate_limit, t.rate_interval) IS DISTINCT FROM (c.concurrency_limit, r.rate_limit, r.rate_interval) AS differs
        FROM jobplatform.job_types t
        CROSS JOIN LATERAL (
            SELECT min(d.concurrency_limit) AS concurrency_limit FROM jobplatform.job_type_declarations d WHERE d.type = t.name) c
        LEFT JOIN LATERAL (
            SELECT d.rate_limit, d.rate_interval FROM jobplatform.job_type_declarations d
            WHERE d.type = t.name AND d.rate_limit IS NOT NULL
            ORDER BY d.rate_limit / extract(epoch FROM d.rate_interval), d.rate_interval DESC
            LIMIT 1) r ON true
        WHERE {filter}
        """;

    /// <summary>Runs <paramref name="sql"/>, whose results are the types whose limits may have to change, and applies the declarations to them.</summary>
    private async Task ForgetDeclarationsAsync(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        var types = new List<string>();
        await using (var command = await CreateCommandAsync(sql, cancellationToken))
        {
            command.Parameters.AddRange(parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            do
            {
                while (await reader.ReadAsync(cancellationToken)) types.Add(reader.GetString(0)); // types whose limits may have to change
            }
            while (await reader.NextResultAsync(cancellationToken));
        }
        await ApplyStrictestLimitsAsync([.. types.Distinct()], cancellationToken);
    }

    /// <summary>
    /// Records that a server is alive, with what it runs now, and the limits it declares (<paramref name="declared"/>:
    /// kept fresh, or declared again when another server pruned them while this one was cut off); forgets servers,
    /// and the limits they declared, silent for longer than <paramref name="forgetAfter"/>. Then applies the limits
    /// of every type whose limits in force are not what the declarations say: those this heartbeat changed, and
    /// any an earlier application left wrong (it runs after the commit, and can fail).
    /// The pruning skips rows another transaction holds: after an outage every server comes back stale and
    /// heartbeats at once, and each holds its own row while pruning the others'; waiting there deadlocked two of
    /// them. A held row is a server heartbeating now, or another server pruning it.
    /// </summary>
    public async Task HeartbeatAsync(
        ServerRecord server, IReadOnlyCollection<JobTypeRecord> declared, TimeSpan forgetAfter, CancellationToken cancellationToken) =>
        await ForgetDeclarationsAsync($"""
            INSERT INTO jobplatform.servers (id, host, queues, concurrency, in_flight, endpoint, started_at, heartbeat_at)
            VALUES (@id, @host, @queues, @concurrency, @in_flight, @endpoint, statement_timestamp(), statement_timestamp())
            ON CONFLICT (id) DO UPDATE
            SET queues = excluded.queues, concurrency = excluded.concurrency, in_flight = excluded.in_flight,
                endpoint = excluded.endpoint, heartbeat_at = excluded.heartbeat_at;
            DELETE FROM jobplatform.servers WHERE id IN (
                SELECT id FROM jobplatform.servers WHERE heartbeat_at < now() - @forget_after FOR UPDATE SKIP LOCKED);
            INSERT INTO jobplatform.job_type_declarations (type, server, concurrency_limit, rate_limit, rate_interval, seen_at)
            SELECT d.type, @id, d.concurrency_limit, d.rate_limit, d.rate_interval, statement_timestamp()
            FROM unnest(@types, @concurrency_limits, @rate_limits, @rate_intervals) AS d(type, concurrency_limit, rate_limit, rate_interval)
            ON CONFLICT (type, server) DO UPDATE SET seen_at = excluded.seen_at;
            DELETE FROM jobplatform.job_type_declarations WHERE (type, server) IN (
                SELECT type, server FROM jobplatform.job_type_declarations WHERE seen_at < now() - @forget_after FOR UPDATE SKIP LOCKED);
            SELECT name FROM ({StrictestLimitsSql("true")}) s WHERE s.differs;
            """,
            [
                new NpgsqlParameter<string>("id", server.Id),
                new NpgsqlParameter<string>("host", server.Host),
                new NpgsqlParameter<string[]>("queues", server.Queues),
                new NpgsqlParameter<int>("concurrency", server.Concurrency),
                new NpgsqlParameter<int>("in_flight", server.InFlight),
                Nullable("endpoint", NpgsqlDbType.Text, server.Endpoint),
                new NpgsqlParameter<TimeSpan>("forget_after", forgetAfter),
                new NpgsqlParameter<string[]>("types", [.. declared.Select(d => d.Name)]),
                new NpgsqlParameter<int?[]>("concurrency_limits", [.. declared.Select(d => d.ConcurrencyLimit)]),
                new NpgsqlParameter<int?[]>("rate_limits", [.. declared.Select(d => d.RateLimit)]),
                new NpgsqlParameter<TimeSpan?[]>("rate_intervals", [.. declared.Select(d => d.RateInterval)]),
            ], cancellationToken);

    /// <summary>Removes a server that stops cleanly, with the limits it declared, so neither lingers until pruned.</summary>
    public async Task RemoveServerAsync(string id, CancellationToken cancellationToken) =>
        await ForgetDeclarationsAsync("""
            DELETE FROM jobplatform.servers WHERE id = @id;
            DELETE FROM jobplatform.job_type_declarations WHERE server = @id RETURNING type;
            """, [new NpgsqlParameter<string>("id", id)], cancellationToken);
}
