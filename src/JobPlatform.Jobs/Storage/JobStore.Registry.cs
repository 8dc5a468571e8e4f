using Npgsql;
using NpgsqlTypes;

namespace JobPlatform.Jobs.Storage;

/// <summary>Job types, servers and retention.</summary>
public sealed partial class JobStore
{
    /// <summary>
    /// Deletes up to <paramref name="batchSize"/> jobs in <paramref name="state"/> that finished more than
    /// <paramref name="keep"/> ago — but none of a batch still open, whose callback will count them.
    /// </summary>
    public async Task<int> DeleteFinishedAsync(string state, TimeSpan keep, int batchSize, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("""
            DELETE FROM jobplatform.jobs WHERE id IN (
                SELECT j.id FROM jobplatform.jobs j
                WHERE j.state = @state AND j.finished_at < now() - @keep
                  AND (j.batch_id IS NULL OR NOT EXISTS (
                      SELECT 1 FROM jobplatform.batches b WHERE b.id = j.batch_id AND b.finished_at IS NULL))
                ORDER BY j.finished_at LIMIT @batch
                FOR UPDATE SKIP LOCKED)
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<string>("state", state));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("keep", keep));
        command.Parameters.Add(new NpgsqlParameter<int>("batch", batchSize));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Registers (or refreshes) the job types a worker offers.</summary>
    public async Task UpsertJobTypesAsync(IEnumerable<JobTypeRecord> types, CancellationToken cancellationToken)
    {
        foreach (var type in types)
        {
            await using var command = await CreateCommandAsync("""
                INSERT INTO jobplatform.job_types (name, queue, max_attempts, max_rescues, payload_schema, updated_at,
                                                   concurrency_limit, rate_limit, rate_interval)
                VALUES (@name, @queue, @max_attempts, @max_rescues, @schema::jsonb, now(), @concurrency_limit, @rate_limit, @rate_interval)
                ON CONFLICT (name) DO UPDATE
                SET queue = excluded.queue, max_attempts = excluded.max_attempts, max_rescues = excluded.max_rescues,
                    payload_schema = excluded.payload_schema, updated_at = excluded.updated_at,
                    concurrency_limit = excluded.concurrency_limit, rate_limit = excluded.rate_limit,
                    rate_interval = excluded.rate_interval
                """, cancellationToken);
            command.Parameters.Add(Nullable("concurrency_limit", NpgsqlDbType.Integer, type.ConcurrencyLimit));
            command.Parameters.Add(Nullable("rate_limit", NpgsqlDbType.Integer, type.RateLimit));
            command.Parameters.Add(Nullable("rate_interval", NpgsqlDbType.Interval, type.RateInterval));
            command.Parameters.Add(new NpgsqlParameter<string>("name", type.Name));
            command.Parameters.Add(new NpgsqlParameter<string>("queue", type.Queue));
            command.Parameters.Add(new NpgsqlParameter<int>("max_attempts", type.MaxAttempts));
            command.Parameters.Add(new NpgsqlParameter<int>("max_rescues", type.MaxRescues));
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
}
