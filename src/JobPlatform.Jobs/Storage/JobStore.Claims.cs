using Npgsql;

namespace JobPlatform.Jobs.Storage;

/// <summary>Keeping the leases of claimed jobs, giving them back, and rescuing those whose lease expired.</summary>
public sealed partial class JobStore
{
    /// <summary>
    /// Gives back a claimed job that was not run to the end (this server is stopping, or lost the job's lease): the
    /// attempt does not count, and any other server may claim it at once — unless someone asked to cancel the job
    /// meanwhile, when it ends cancelled instead. Returns the state written, or null when the claim is no longer
    /// ours (the fencing token moved on).
    /// </summary>
    public async Task<JobState?> ReleaseAsync(Guid id, long fencingToken, string server, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync($"""
            WITH released AS (
                UPDATE jobplatform.jobs
                SET state = CASE WHEN cancel_requested_at IS NULL THEN 'enqueued' ELSE 'cancelled' END,
                    attempt = CASE WHEN cancel_requested_at IS NULL THEN attempt - 1 ELSE attempt END,
                    started_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE started_at END,
                    finished_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE now() END,
                    error = CASE WHEN cancel_requested_at IS NULL THEN error ELSE @reason END,
                    lease_owner = NULL, lease_expires_at = NULL
                WHERE id = @id AND fencing_token = @token AND state = 'processing'
                RETURNING id, attempt, fencing_token, started_at, state),
            history AS (
                INSERT INTO jobplatform.job_attempts (job_id, attempt, fencing_token, server, started_at, finished_at, outcome, error_type, error_message)
                SELECT id, attempt, fencing_token, @server, started_at, now(), 'cancelled', 'OperationCanceledException', @reason
                FROM released WHERE state = 'cancelled'
                ON CONFLICT DO NOTHING)
            SELECT (SELECT state FROM released), pg_notify('{EnqueuedChannel}', '')
            """, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        command.Parameters.Add(new NpgsqlParameter<long>("token", fencingToken));
        command.Parameters.Add(new NpgsqlParameter<string>("server", server));
        command.Parameters.Add(new NpgsqlParameter<string>("reason", "Cancelled on request; the attempt was stopped before it ended."));
        if (await command.ExecuteScalarAsync(cancellationToken) is not string state) return null;
        var written = JobStateNames.Parse(state);
        if (written == JobState.Cancelled) await ReleaseContinuationsAsync([id], cancellationToken);
        return written;
    }

    /// <summary>
    /// Extends the leases of the attempts this server is still running, each matched by its claim's fencing token
    /// (a job this server claimed again after losing it is renewed for the new claim only); returns the attempts it
    /// renewed (one missing there is no longer this server's) and whether someone asked to cancel each (a fallback
    /// for a missed notification). Rows are locked in id order, as the completer locks them, so the two never
    /// deadlock; and a lock held elsewhere makes the renewal fail after <paramref name="lockTimeout"/> rather than
    /// hang (the next round tries again).
    /// </summary>
    public async Task<IReadOnlyList<(AttemptKey Attempt, bool CancelRequested)>> RenewLeasesAsync(
        string owner, IReadOnlyCollection<AttemptKey> attempts, TimeSpan lease, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        if (attempts.Count == 0) return [];
        await using var batch = await CreateBatchAsync(cancellationToken,
            "SELECT set_config('lock_timeout', @lock_timeout, true)",
            """
            WITH mine AS (
                SELECT j.id FROM jobplatform.jobs j
                JOIN unnest(@ids, @tokens) AS a(id, token) ON j.id = a.id AND j.fencing_token = a.token
                WHERE j.lease_owner = @owner AND j.state = 'processing'
                ORDER BY j.id
                FOR NO KEY UPDATE OF j)
            UPDATE jobplatform.jobs j SET lease_expires_at = now() + @lease
            FROM mine WHERE j.id = mine.id
            RETURNING j.id, j.fencing_token, j.cancel_requested_at IS NOT NULL
            """);
        batch.EnableErrorBarriers = false; // one transaction: the timeout applies to the renewal
        batch.BatchCommands[0].Parameters.Add(new NpgsqlParameter<string>("lock_timeout", $"{(int)lockTimeout.TotalMilliseconds}ms"));
        var p = batch.BatchCommands[1].Parameters;
        p.Add(new NpgsqlParameter<TimeSpan>("lease", lease));
        p.Add(new NpgsqlParameter<Guid[]>("ids", [.. attempts.Select(a => a.JobId)]));
        p.Add(new NpgsqlParameter<long[]>("tokens", [.. attempts.Select(a => a.FencingToken)]));
        p.Add(new NpgsqlParameter<string>("owner", owner));
        var renewed = new List<(AttemptKey, bool)>(attempts.Count);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken); // past set_config's row
        while (await reader.ReadAsync(cancellationToken))
            renewed.Add((new AttemptKey(reader.GetGuid(0), reader.GetInt64(1)), reader.GetBoolean(2)));
        return renewed;
    }

    /// <summary>
    /// Returns jobs whose lease expired (their server died, hung or was cut off) to <c>enqueued</c> without spending
    /// the attempt: a worker's death is not the job's failure. Each such rescue counts against the job's rescue
    /// budget (<c>max_rescues</c>); one more fails the job, naming every lease it lost — a job that keeps killing its
    /// worker. A job someone asked to cancel is cancelled instead. The lost attempt is kept in the history as
    /// <c>rescued</c>. The fencing token moves on at the next claim, so a late outcome from the old owner is refused.
    /// </summary>
    public async Task<int> RescueExpiredAsync(CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync(RescueExpiredSql, cancellationToken);
        var rescued = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        if (rescued > 0) await NotifyEnqueuedAsync(cancellationToken);
        return rescued;
    }

    /// <summary>The statement of <see cref="RescueExpiredAsync"/>.</summary>
    internal const string RescueExpiredSql = """
            WITH decided AS (
                -- Decided from the locked row: a cancel committed after this statement began is in it (a second,
                -- unlocked read of the job would not see it, and the cancelled job would be enqueued again).
                SELECT id, lease_owner,
                       CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
                            WHEN rescues < max_rescues THEN 'enqueued' ELSE 'failed' END AS state
                FROM jobplatform.jobs
                WHERE state = 'processing' AND lease_expires_at < now()
                FOR NO KEY UPDATE SKIP LOCKED),
            rescued AS (
                UPDATE jobplatform.jobs j
                SET state = d.state,
                    attempt = CASE WHEN d.state = 'enqueued' THEN j.attempt - 1 ELSE j.attempt END,
                    rescues = j.rescues + 1,
                    finished_at = CASE WHEN d.state = 'enqueued' THEN NULL ELSE now() END,
                    error = CASE d.state
                        WHEN 'enqueued' THEN 'The lease of ' || d.lease_owner || ' expired before the attempt finished; run again without spending an attempt (rescue '
                                             || (j.rescues + 1) || ' of ' || j.max_rescues || ').'
                        WHEN 'cancelled' THEN 'Cancelled on request; the lease of ' || d.lease_owner || ' expired before the attempt finished.'
                        ELSE 'Lost its worker ' || (j.rescues + 1) || ' times, more than its rescue budget of ' || j.max_rescues
                             || ': the leases of ' || concat_ws(', ', (
                                 SELECT string_agg(a.server || ' (attempt ' || a.attempt || ')', ', ' ORDER BY a.fencing_token)
                                 FROM jobplatform.job_attempts a WHERE a.job_id = j.id AND a.outcome = 'rescued'),
                                 d.lease_owner || ' (attempt ' || j.attempt || ')')
                             || ' expired before their attempts finished. A job that keeps killing its worker is failed rather than run again.'
                        END,
                    lease_owner = NULL, lease_expires_at = NULL
                FROM decided d WHERE j.id = d.id
                RETURNING j.id, CASE WHEN d.state = 'enqueued' THEN j.attempt + 1 ELSE j.attempt END AS attempt,
                          j.fencing_token, j.started_at, j.error, d.lease_owner, d.state),
            history AS (
                INSERT INTO jobplatform.job_attempts (job_id, attempt, fencing_token, server, started_at, finished_at, outcome, error_type, error_message)
                SELECT id, attempt, fencing_token, lease_owner, started_at, now(), 'rescued', 'LeaseExpired', error FROM rescued
                ON CONFLICT DO NOTHING)
            SELECT count(*)::int FROM rescued
            """;
}
