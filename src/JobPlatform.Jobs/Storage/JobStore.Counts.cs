namespace JobPlatform.Jobs.Storage;

/// <summary>
/// Jobs per queue and state, and finished jobs per minute and state, kept by the database itself rather than counted
/// from the table: triggers on <c>jobs</c> (migration <c>HistoryAtScale</c>) append, in the transaction of every
/// statement that adds, moves or removes jobs (an enqueue, a claim, an outcome, a cancel, a retry, a delete,
/// retention, any hand edit), one row per queue, state and minute finished with the net change. Appending, not
/// updating one counter row, keeps concurrent statements from waiting on each other; <see cref="FoldJobCountsAsync"/>
/// adds the appended rows into <c>job_counts</c> and <c>finished_minutes</c> every few seconds. A reader sums both
/// in one snapshot, so its counts are exact, and cost what the queues, states and unfolded changes are, not the jobs.
/// </summary>
public sealed partial class JobStore
{
    /// <summary>Jobs by queue and state (columns queue, state, n): the folded counts plus the changes not yet folded.</summary>
    private const string JobCountsSql = """
        SELECT queue, state, sum(n)::bigint AS n FROM (
            SELECT queue, state, n FROM jobplatform.job_counts
            UNION ALL SELECT queue, state, n FROM jobplatform.job_count_changes) f
        GROUP BY queue, state HAVING sum(n) <> 0
        """;

    /// <summary>
    /// Finished jobs per minute (of <c>finished_at</c>) and state in the last @window, from the start of its first
    /// minute (columns minute, state, n): the folded counts plus the changes not yet folded.
    /// </summary>
    private const string FinishedMinutesSql = """
        SELECT minute, state, sum(n)::bigint AS n FROM (
            SELECT minute, state, n FROM jobplatform.finished_minutes WHERE minute >= date_trunc('minute', now() - @window)
            UNION ALL SELECT minute, state, n FROM jobplatform.job_count_changes WHERE minute >= date_trunc('minute', now() - @window)) f
        GROUP BY minute, state HAVING sum(n) <> 0
        """;

    /// <summary>The advisory lock that lets one process at a time fold the changes ("JPcounts" in ASCII).</summary>
    private const long FoldLock = 0x4A50636F756E7473;

    /// <summary>
    /// Adds the appended changes into <c>job_counts</c> and <c>finished_minutes</c> and deletes them, in one
    /// statement, then drops the counts that reached zero (a minute whose jobs retention has deleted); a process that
    /// finds another folding skips its turn (two folds would upsert the same rows and could deadlock). Returns how
    /// many change rows it folded.
    /// </summary>
    public async Task<int> FoldJobCountsAsync(CancellationToken cancellationToken)
    {
        await using var batch = await CreateBatchAsync(cancellationToken,
            $"""
            WITH turn AS (SELECT pg_try_advisory_xact_lock({FoldLock}) AS mine),
            moved AS (
                DELETE FROM jobplatform.job_count_changes WHERE (SELECT mine FROM turn)
                RETURNING queue, state, minute, n),
            counts AS (
                INSERT INTO jobplatform.job_counts AS c (queue, state, n)
                SELECT queue, state, sum(n) FROM moved GROUP BY queue, state
                ON CONFLICT (queue, state) DO UPDATE SET n = c.n + excluded.n),
            minutes AS (
                INSERT INTO jobplatform.finished_minutes AS m (minute, state, n)
                SELECT minute, state, sum(n) FROM moved WHERE minute IS NOT NULL GROUP BY minute, state
                ON CONFLICT (minute, state) DO UPDATE SET n = m.n + excluded.n)
            SELECT count(*)::int FROM moved
            """,
            "DELETE FROM jobplatform.job_counts WHERE n = 0",
            "DELETE FROM jobplatform.finished_minutes WHERE n = 0");
        batch.EnableErrorBarriers = false; // one transaction, under the fold's lock
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetInt32(0);
    }
}
