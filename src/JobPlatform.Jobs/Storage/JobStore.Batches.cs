using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace JobPlatform.Jobs.Storage;

/// <summary>Batches: a set of jobs, and a callback enqueued once when the last of them has finished.</summary>
public sealed partial class JobStore
{
    /// <summary>Inserts the batch row; the caller inserts its jobs in the same transaction.</summary>
    public async Task InsertBatchAsync(BatchRecord batch, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("""
            INSERT INTO jobplatform.batches (id, total, callback_type, callback_payload, callback_queue, created_at)
            VALUES (@id, @total, @type, @payload::jsonb, @queue, now())
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", batch.Id));
        command.Parameters.Add(new NpgsqlParameter<int>("total", batch.Total));
        command.Parameters.Add(Nullable("type", NpgsqlDbType.Text, batch.CallbackType));
        command.Parameters.Add(Nullable("payload", NpgsqlDbType.Text, batch.CallbackPayload));
        command.Parameters.Add(Nullable("queue", NpgsqlDbType.Text, batch.CallbackQueue));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Closes the batch if none of its jobs is unfinished, and enqueues its callback, exactly once: the batch
    /// row is locked first, so checkers take turns, and the check that follows sees every outcome committed
    /// before it. Called after a batch job's outcome is committed, so the last job's checker always sees all
    /// of them. Returns the callback job's id when this call closed the batch and there is a callback.
    /// </summary>
    public async Task<Guid?> FinishBatchAsync(Guid batchId, CancellationToken cancellationToken)
    {
        await using var transaction = await _db!.Database.BeginTransactionAsync(cancellationToken);
        await using (var lockBatch = await CreateCommandAsync(
            "SELECT 1 FROM jobplatform.batches WHERE id = @id AND finished_at IS NULL FOR UPDATE", cancellationToken))
        {
            lockBatch.Parameters.Add(new NpgsqlParameter<Guid>("id", batchId));
            if (await lockBatch.ExecuteScalarAsync(cancellationToken) is null) return null; // closed already
        }

        string? callbackType, callbackPayload, callbackQueue;
        await using (var close = await CreateCommandAsync($"""
            WITH counts AS (
                SELECT count(*) FILTER (WHERE state = 'succeeded') AS succeeded,
                       count(*) FILTER (WHERE state = 'failed') AS failed,
                       count(*) FILTER (WHERE state = 'cancelled') AS cancelled
                FROM jobplatform.jobs WHERE batch_id = @id)
            UPDATE jobplatform.batches b SET finished_at = now()
            FROM counts
            WHERE b.id = @id AND b.finished_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM jobplatform.jobs WHERE batch_id = @id AND state IN {Unfinished})
            RETURNING b.callback_type,
                      (COALESCE(b.callback_payload, jsonb_build_object()) || jsonb_build_object('batch', jsonb_build_object(
                          'id', b.id, 'total', b.total, 'succeeded', counts.succeeded,
                          'failed', counts.failed, 'cancelled', counts.cancelled)))::text,
                      b.callback_queue
            """, cancellationToken))
        {
            close.Parameters.Add(new NpgsqlParameter<Guid>("id", batchId));
            await using var reader = await close.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) return null; // jobs still unfinished
            callbackType = reader.IsDBNull(0) ? null : reader.GetString(0);
            callbackPayload = reader.GetString(1);
            callbackQueue = reader.IsDBNull(2) ? null : reader.GetString(2);
        }

        Guid? callbackId = null;
        if (callbackType is not null
            && await InsertAsync(new NewJob(Guid.CreateVersion7(), callbackType, callbackPayload) { Queue = callbackQueue, Tags = [$"batch:{batchId}"] }, cancellationToken) is { } inserted)
        {
            callbackId = inserted.Id;
            await using var link = await CreateCommandAsync("UPDATE jobplatform.batches SET callback_job_id = @job WHERE id = @id", cancellationToken);
            link.Parameters.Add(new NpgsqlParameter<Guid>("job", inserted.Id));
            link.Parameters.Add(new NpgsqlParameter<Guid>("id", batchId));
            await link.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return callbackId;
    }

    /// <summary>Open batches whose jobs have all ended (see <see cref="FinishOpenBatchesAsync"/>).</summary>
    internal static readonly string OpenBatchesDoneSql = $"""
        SELECT b.id FROM jobplatform.batches b
        WHERE b.finished_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM jobplatform.jobs j WHERE j.batch_id = b.id AND j.state IN {Unfinished})
        LIMIT 100
        """;

    /// <summary>The safety net: closes open batches whose jobs all ended without a checker closing them (a server died between).</summary>
    public async Task<int> FinishOpenBatchesAsync(CancellationToken cancellationToken)
    {
        var done = new List<Guid>();
        await using (var find = await CreateCommandAsync(OpenBatchesDoneSql, cancellationToken))
        {
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) done.Add(reader.GetGuid(0));
        }
        foreach (var id in done) await FinishBatchAsync(id, cancellationToken);
        return done.Count;
    }

    /// <summary>How many of a batch's jobs are in each state.</summary>
    public async Task<Dictionary<string, int>> CountBatchAsync(Guid batchId, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync(
            "SELECT state, count(*)::int FROM jobplatform.jobs WHERE batch_id = @id GROUP BY state", cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", batchId));
        var counts = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) counts[reader.GetString(0)] = reader.GetInt32(1);
        return counts;
    }
}
