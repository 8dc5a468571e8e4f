using Npgsql;

namespace JobPlatform.Jobs.Storage;

/// <summary>Claiming due jobs: priority first across every type, cluster-wide limits held, fencing tokens that only rise.</summary>
public sealed partial class JobStore
{
    /// <summary>
    /// How far the fencing tokens jump after PostgreSQL lost its in-memory state (a crash, a failover): beyond any
    /// number of tokens the lost part of the WAL can have handed out (2^32; the tokens' 63 bits allow 2^31 jumps).
    /// </summary>
    public const long FencingTokenJump = 1L << 32;

    /// <summary>The advisory lock that lets one server at a time restore the guard ("JobPlatf" in ASCII).</summary>
    private const long TokenGuardLock = 0x4A6F62506C617466;

    /// <summary>Claims up to <paramref name="limit"/> due jobs; see <see cref="ClaimDueAsync"/>.</summary>
    public async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(
        string owner, string queue, IReadOnlyList<string> types, int limit, TimeSpan lease, CancellationToken cancellationToken) =>
        (await ClaimDueAsync(owner, queue, types, limit, lease, promote: true, cancellationToken)).Jobs;

    /// <summary>
    /// Claims up to <paramref name="limit"/> due jobs of one queue and the given types, highest priority first
    /// across all of them, in one round trip and one transaction:
    /// <list type="number">
    /// <item>With <paramref name="promote"/>, the queue's scheduled jobs that have come due become enqueued (see
    /// <see cref="PromoteSql"/>); a server promotes now and then rather than on every claim (see <c>JobProcessor</c>).</item>
    /// <item>Types with a cluster-wide limit (as <c>job_types</c> says, whatever this server declared) have their rows
    /// locked, in name order, so the claimers of every server take turns on them and the counts that follow hold (a
    /// type limited only after that lock statement began has no lock, and none of its jobs is claimed this round).</item>
    /// <item>Candidates: the best due jobs of the other types (rows locked by another claimer are skipped, so servers
    /// never wait on each other nor take the same job), and of each limited type no more than its concurrency limit
    /// minus its jobs running anywhere and its rate limit minus its starts in the window. The best
    /// <paramref name="limit"/> of them by priority are claimed.</item>
    /// <item>When a rate window is full, how long until its oldest start leaves it, so the caller sleeps that long.</item>
    /// </list>
    /// The claim commits without waiting for the WAL flush (synchronous_commit off for this transaction only): if
    /// PostgreSQL crashes within the next moments the claim may be lost and the job runs again, which at-least-once
    /// allows; an outcome (committed durably, so flushing the claim before it) can never survive its claim. The token
    /// sequence's advance may be lost with it, so tokens are handed out only while <c>token_guard</c> — an unlogged
    /// table, emptied by PostgreSQL's recovery — holds its row; see <see cref="GuardFencingTokensAsync"/>.
    /// </summary>
    public async Task<(IReadOnlyList<ClaimedJob> Jobs, TimeSpan? RetryAfter)> ClaimDueAsync(
        string owner, string queue, IReadOnlyList<string> types, int limit, TimeSpan lease, bool promote, CancellationToken cancellationToken)
    {
        var (jobs, retryAfter, guarded, promoted) = await TryClaimAsync(owner, queue, types, limit, lease, promote, cancellationToken);
        // The claim statement checks the guard again, in its own snapshot: jobs it claimed have guarded tokens, even
        // when the guard was missing at the first look and another server restored it in between. They are this
        // server's now; dropping them would leave them claimed by nobody running them until their lease ran out.
        if (!guarded && jobs.Count == 0)
        {
            await GuardFencingTokensAsync(cancellationToken);
            (jobs, retryAfter, _, promoted) = await TryClaimAsync(owner, queue, types, limit, lease, promote, cancellationToken);
        }
        // A catch-up (a queue resumed, servers back after an outage): the promotion was cut at its cap, oldest first,
        // so a higher-priority job due later than the first thousand may still wait as scheduled. Promote the rest now,
        // a thousand per statement, so the next claim chooses among all the due jobs by priority. Best effort: the
        // jobs claimed above are this server's whatever happens here (thrown away, they would sit claimed by nobody
        // until their lease ran out), and the next claim promotes what this left.
        try
        {
            while (promoted == PromotedPerClaim && !cancellationToken.IsCancellationRequested)
                promoted = await PromoteAsync(queue, CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
        }
        return (jobs, retryAfter);
    }

    /// <summary>Moves up to <see cref="PromotedPerClaim"/> due jobs of the queue to enqueued (its own transaction); returns how many.</summary>
    private async Task<int> PromoteAsync(string queue, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync(PromoteSql, cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<string>("queue", queue));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", 0)); // wake the other servers for whatever it moved
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// After PostgreSQL lost its unflushed WAL (the guard's row is gone: a crash, or a failover, empties unlogged
    /// tables), moves the token sequence past anything it may have handed out before, durably, and puts the guard
    /// back. One server at a time (a transaction-scoped advisory lock), and only while the guard is missing: a second
    /// jump after claims resumed could set the sequence below tokens already given.
    /// </summary>
    public async Task GuardFencingTokensAsync(CancellationToken cancellationToken)
    {
        await using var batch = await CreateBatchAsync(cancellationToken,
            "SELECT set_config('synchronous_commit', 'on', true)",
            $"SELECT pg_advisory_xact_lock({TokenGuardLock})",
            $"""
            SELECT setval('jobplatform.fencing_tokens', nextval('jobplatform.fencing_tokens') + {FencingTokenJump})
            WHERE NOT EXISTS (SELECT 1 FROM jobplatform.token_guard)
            """,
            "INSERT INTO jobplatform.token_guard (id) VALUES (1) ON CONFLICT DO NOTHING");
        batch.EnableErrorBarriers = false; // one transaction, committed durably
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<(IReadOnlyList<ClaimedJob> Jobs, TimeSpan? RetryAfter, bool Guarded, int Promoted)> TryClaimAsync(
        string owner, string queue, IReadOnlyList<string> types, int limit, TimeSpan lease, bool promote, CancellationToken cancellationToken)
    {
        var claimSql = ClaimSql(types.Count);
        await using var batch = await CreateBatchAsync(cancellationToken,
            "SELECT set_config('synchronous_commit', 'off', true), EXISTS (SELECT 1 FROM jobplatform.token_guard)",
            $"""
            SELECT set_config('{LockedTypesSetting}', COALESCE(array_agg(name), ARRAY[]::text[])::text, true) FROM (
                SELECT name FROM jobplatform.job_types
                WHERE name = ANY(@types) AND {IsLimited("job_types")}
                ORDER BY name
                FOR UPDATE) locked
            """,
            // After the lock statement, which may wait: a job that came due while it waited is promoted and competes
            // on priority in this claim (promotion itself never waits, SKIP LOCKED).
            promote ? PromoteSql : null,
            claimSql,
            $"""
            SELECT min(extract(epoch FROM w.oldest + t.rate_interval - statement_timestamp()))::float8
            FROM jobplatform.job_types t
            CROSS JOIN LATERAL (
                SELECT min(s.started_at) AS oldest, count(*) AS starts FROM jobplatform.type_starts s
                WHERE s.type = t.name AND s.started_at > statement_timestamp() - t.rate_interval) w
            WHERE t.name = ANY(@types) AND t.rate_limit IS NOT NULL AND w.starts >= t.rate_limit
            """);
        foreach (var command in batch.BatchCommands.Cast<NpgsqlBatchCommand>().Skip(1))
        {
            if (command.CommandText == PromoteSql)
            {
                command.Parameters.Add(new NpgsqlParameter<string>("queue", queue));
                command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
                continue;
            }
            command.Parameters.Add(new NpgsqlParameter<string[]>("types", [.. types]));
            if (command.CommandText != claimSql) continue;
            command.Parameters.Add(new NpgsqlParameter<string>("owner", owner));
            command.Parameters.Add(new NpgsqlParameter<TimeSpan>("lease", lease));
            command.Parameters.Add(new NpgsqlParameter<string>("queue", queue));
            command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        }
        // One transaction: the limited types' locks hold until the claim is written. The claim statement runs after
        // the lock statement, so its snapshot sees every claim committed before the locks were granted.
        batch.EnableErrorBarriers = false;
        // A hot path: prepared once per pooled connection, then only bound and run (see JobStore.InsertAsync).
        await batch.PrepareAsync(cancellationToken);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var guarded = reader.GetBoolean(1);
        await reader.NextResultAsync(cancellationToken); // the locked types' names, noted for the claim statement
        var promoted = 0;
        if (promote)
        {
            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            promoted = reader.GetInt32(0);
        }
        await reader.NextResultAsync(cancellationToken);
        var claimed = await ReadClaimedAsync(reader, limit, cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        TimeSpan? retryAfter = await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(0)
            ? TimeSpan.FromSeconds(Math.Max(0.001, reader.GetDouble(0))) : null;
        return (claimed, retryAfter, guarded, promoted);
    }

    /// <summary>
    /// The types whose rows the claim's lock statement locked (a transaction-local setting, read by the claim
    /// statement). A type limited since that statement's snapshot (a server declared the limit meanwhile) is not
    /// among them: the claim takes none of its jobs this round, as it could not count them under the lock.
    /// </summary>
    private const string LockedTypesSetting = "jobplatform.locked_types";

    /// <summary>Whether a type (a <c>job_types</c> row) has a cluster-wide limit.</summary>
    private static string IsLimited(string type) => $"({type}.concurrency_limit IS NOT NULL OR {type}.rate_limit IS NOT NULL)";

    /// <summary>
    /// Moves the jobs of one queue that have come due from <c>scheduled</c> to <c>enqueued</c>, oldest first and at
    /// most <see cref="PromotedPerClaim"/> per claim, unless the queue is paused. Jobs due later wait in
    /// <c>ix_jobs_scheduled</c> (queue, due time), so a claim never walks past them: <c>ix_jobs_due</c> holds
    /// enqueued jobs only, all of them due. Rows another transaction holds are skipped (the next claim takes them).
    /// When it moved more jobs than this claim takes, the other servers are woken (at commit) to take the rest.
    /// It runs after the claim's lock statement, so a job that came due while that waited is promoted too. A promotion
    /// cut at its cap (a catch-up) is followed, after the claim, by more until all due jobs are enqueued, so priority
    /// orders all of them from the next claim on.
    /// </summary>
    internal static readonly string PromoteSql = $"""
        WITH due AS (
            SELECT j.id FROM jobplatform.jobs j
            WHERE j.state = 'scheduled' AND j.queue = @queue AND j.run_at <= statement_timestamp()
              AND NOT EXISTS (SELECT 1 FROM jobplatform.paused_queues p WHERE p.queue = @queue)
            ORDER BY j.run_at
            LIMIT {PromotedPerClaim}
            FOR NO KEY UPDATE SKIP LOCKED),
        promoted AS (
            -- By primary key (an array, not a join: a join of up to 1,000 rows may be planned as a table scan).
            UPDATE jobplatform.jobs j SET state = 'enqueued' WHERE j.id = ANY(ARRAY(SELECT id FROM due)) RETURNING 1)
        SELECT count(*)::int, CASE WHEN count(*) > @limit THEN pg_notify('{EnqueuedChannel}', '') END FROM promoted
        """;

    /// <summary>How many jobs that came due one claim moves to <c>enqueued</c> at most (see <see cref="PromoteSql"/>).</summary>
    internal const int PromotedPerClaim = 1000;

    /// <summary>The claim statement for each number of types a server offers, built once.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> ClaimSqlByTypeCount = new();

    /// <summary>
    /// The claim itself (see <see cref="ClaimDueAsync"/>), for a server offering <paramref name="typeCount"/> types.
    /// Each type's due jobs are one range of <c>ix_jobs_due</c> (queue, type, priority, due time, id), read in claim
    /// order; the ranges are merged (a Merge Append, which reads each only as far as the merge needs), and the merged
    /// rows are locked one at a time until @limit are held: a row another claimer holds is skipped and the next one
    /// taken, and none is locked that the claim will not take. So a claim reads about the rows it takes, whatever the
    /// backlog of a held-back limited type or of types this server does not offer. A limited type's range is cut at
    /// what its limits allow now (none for a type limited after the lock statement began, which it could not count
    /// under the lock); a type without a <c>job_types</c> row counts as unlimited, and everything is bounded by
    /// @limit, the free slots. Its time is the statement's, not the transaction's: it sees the jobs committed while
    /// the lock statement waited, so it counts them due as of then too. (The lease it writes counts from then as
    /// well; the server's own deadline counts from before the claim was sent.)
    /// </summary>
    internal static string ClaimSql(int typeCount) => ClaimSqlByTypeCount.GetOrAdd(typeCount, static n => $"""
        WITH limited AS (
            SELECT t.name, t.rate_limit, t.rate_interval, k.locked,
                   CASE WHEN NOT k.locked THEN 0 ELSE GREATEST(0, LEAST(@limit,
                       COALESCE(t.concurrency_limit - (SELECT count(*) FROM jobplatform.jobs r WHERE r.type = t.name AND r.state = 'processing'), @limit),
                       COALESCE(t.rate_limit - (SELECT count(*) FROM jobplatform.type_starts s
                                                 WHERE s.type = t.name AND s.started_at > statement_timestamp() - t.rate_interval), @limit))) END AS allowed
            FROM jobplatform.job_types t
            CROSS JOIN LATERAL (SELECT t.name = ANY(current_setting('{LockedTypesSetting}')::text[]) AS locked) k
            WHERE t.name = ANY(@types) AND {IsLimited("t")}),
        ready AS (
            SELECT EXISTS (SELECT 1 FROM jobplatform.token_guard)
               AND NOT EXISTS (SELECT 1 FROM jobplatform.paused_queues WHERE queue = @queue) AS ok),
        candidates AS (
            {string.Join("\n            UNION ALL\n            ", Enumerable.Range(1, Math.Max(1, n)).Select(TypeRange))}),
        chosen AS (
            SELECT c.id FROM candidates c
            CROSS JOIN LATERAL (
                SELECT j.id FROM jobplatform.jobs j
                WHERE j.id = c.id AND j.state = 'enqueued'
                FOR NO KEY UPDATE SKIP LOCKED) l
            ORDER BY c.priority DESC, c.run_at, c.id
            LIMIT @limit),
        claimed AS (
            UPDATE jobplatform.jobs j
            SET state = 'processing', attempt = j.attempt + 1, started_at = statement_timestamp(), finished_at = NULL,
                lease_owner = @owner, lease_expires_at = statement_timestamp() + @lease,
                fencing_token = nextval('jobplatform.fencing_tokens')
            FROM chosen WHERE j.id = chosen.id
            RETURNING j.id, j.type, j.queue, j.payload::text, j.attempt, j.max_attempts, j.fencing_token,
                      j.run_at, j.started_at, j.trace_parent, j.tags, j.timeout, j.retry_intervals, j.batch_id),
        pruned AS (
            DELETE FROM jobplatform.type_starts s USING limited l
            WHERE s.type = l.name AND l.locked AND l.rate_limit IS NOT NULL AND s.started_at <= statement_timestamp() - l.rate_interval),
        logged AS (
            INSERT INTO jobplatform.type_starts (type, started_at)
            SELECT c.type, statement_timestamp() FROM claimed c JOIN limited l ON l.name = c.type WHERE l.rate_limit IS NOT NULL)
        SELECT * FROM claimed
        """);

    /// <summary>
    /// One type's due jobs in claim order (the <paramref name="i"/>th of @types): its range of <c>ix_jobs_due</c>,
    /// cut at what the type's limits allow when it is limited (no cut, LIMIT NULL, when it is not).
    /// </summary>
    private static string TypeRange(int i) => $"""
        (SELECT j.id, j.priority, j.run_at FROM jobplatform.jobs j
                 WHERE j.state = 'enqueued' AND j.queue = @queue AND j.type = (@types::text[])[{i}]
                   AND j.run_at <= statement_timestamp() AND (SELECT ok FROM ready)
                 ORDER BY j.priority DESC, j.run_at, j.id
                 LIMIT (SELECT l.allowed FROM limited l WHERE l.name = (@types::text[])[{i}]))
        """;

    private static async Task<IReadOnlyList<ClaimedJob>> ReadClaimedAsync(NpgsqlDataReader reader, int limit, CancellationToken cancellationToken)
    {
        var claimed = new List<ClaimedJob>(limit);
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
                BatchId = reader.IsDBNull(13) ? null : reader.GetGuid(13),
            });
        }
        return claimed;
    }

}
