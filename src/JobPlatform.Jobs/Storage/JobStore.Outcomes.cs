using Npgsql;
using NpgsqlTypes;

namespace JobPlatform.Jobs.Storage;

/// <summary>Ending attempts: success (in batches), failure, timeout, cancellation; progress while running.</summary>
public sealed partial class JobStore
{
    /// <summary>Records success; false when the claim is no longer ours (the fencing token moved on).</summary>
    public async Task<bool> CompleteAsync(Guid id, long fencingToken, string server, CancellationToken cancellationToken) =>
        (await CompleteManyAsync([(id, fencingToken)], server, cancellationToken)).Contains(id);

    /// <summary>
    /// Records many successes in one statement (one commit for the lot): each job's state, its history row,
    /// and its continuations. Returns the ids written; the others' claims were no longer ours. The rows are locked in
    /// id order (see <see cref="RenewLeasesAsync"/>).
    /// </summary>
    public async Task<IReadOnlySet<Guid>> CompleteManyAsync(
        IReadOnlyCollection<(Guid Id, long FencingToken)> jobs, string server, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync($"""
            WITH mine AS (
                -- Locked in id order, as lease renewals lock them: the two never deadlock.
                SELECT j.id FROM jobplatform.jobs j
                JOIN unnest(@ids, @tokens) AS i(id, token) ON j.id = i.id AND j.fencing_token = i.token
                WHERE j.state = 'processing'
                ORDER BY j.id
                FOR NO KEY UPDATE OF j),
            done AS (
                UPDATE jobplatform.jobs j
                SET state = 'succeeded', finished_at = now(), error = NULL, lease_owner = NULL, lease_expires_at = NULL
                FROM mine
                WHERE j.id = mine.id
                RETURNING j.id, j.attempt, j.fencing_token, j.started_at),
            history AS (
                INSERT INTO jobplatform.job_attempts (job_id, attempt, fencing_token, server, started_at, finished_at, outcome)
                SELECT id, attempt, fencing_token, @server, started_at, now(), 'succeeded' FROM done
                ON CONFLICT DO NOTHING)
            SELECT id FROM done;
            {ReleaseContinuationsSql("c2.parent_id = ANY(@ids)")}
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", [.. jobs.Select(j => j.Id)]));
        command.Parameters.Add(new NpgsqlParameter<long[]>("tokens", [.. jobs.Select(j => j.FencingToken)]));
        command.Parameters.Add(new NpgsqlParameter<string>("server", server));
        await command.PrepareAsync(cancellationToken); // a hot path: see JobStore.InsertAsync

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
        var retry = retryable ? "attempt < max_attempts AND cancel_requested_at IS NULL" : "false";
        var state = await FinishAsync(id, fencingToken, server,
            $"CASE WHEN {retry} THEN 'scheduled' WHEN cancel_requested_at IS NOT NULL THEN 'cancelled' ELSE 'failed' END",
            error.Outcome, error, cancellationToken, retryDelay);
        return state is null ? null : JobStateNames.Parse(state);
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
            WITH target AS (SELECT id, state FROM jobplatform.jobs WHERE id = @id FOR NO KEY UPDATE),
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
                RETURNING id, attempt, fencing_token, started_at, state),
            history AS (
                INSERT INTO jobplatform.job_attempts
                    (job_id, attempt, fencing_token, server, started_at, finished_at, outcome, error_type, error_message, stack_trace)
                SELECT id, attempt, fencing_token, @server, started_at, now(), @outcome, @error_type, @error_message, @stack_trace FROM done
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
}
