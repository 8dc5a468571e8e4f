namespace JobPlatform.Jobs.Storage;

/// <summary>
/// Finished jobs per queue and state, kept by the database itself rather than counted from the history: triggers on
/// <c>jobs</c> (migration <c>HistoryAtScale</c>) append, in the transaction of every statement that moves jobs into
/// or out of a finished state (an outcome, a cancel, a skipped continuation, a retry, a delete, retention, any hand
/// edit), one row per queue and state with the net change. Appending, not updating one counter row, keeps
/// concurrent completions from waiting on each other; <see cref="FoldFinishedCountsAsync"/> adds the appended rows
/// into <c>finished_counts</c> every few seconds. A reader sums both in one snapshot, so its counts are exact.
/// </summary>
public sealed partial class JobStore
{
    /// <summary>Finished jobs by queue and state (columns queue, state, n): the folded counts plus the changes not yet folded.</summary>
    private const string FinishedCountsSql = """
        SELECT queue, state, sum(n)::bigint AS n FROM (
            SELECT queue, state, n FROM jobplatform.finished_counts
            UNION ALL SELECT queue, state, n FROM jobplatform.finished_count_changes) f
        GROUP BY queue, state HAVING sum(n) <> 0
        """;

    /// <summary>The advisory lock that lets one process at a time fold the changes ("JPcounts" in ASCII).</summary>
    private const long FoldLock = 0x4A50636F756E7473;

    /// <summary>
    /// Adds the appended changes into <c>finished_counts</c> and deletes them, in one statement; a process that finds
    /// another folding skips its turn (two folds would upsert the same rows and could deadlock). Returns how many
    /// change rows it folded.
    /// </summary>
    public async Task<int> FoldFinishedCountsAsync(CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync($"""
            WITH turn AS (SELECT pg_try_advisory_xact_lock({FoldLock}) AS mine),
            moved AS (
                DELETE FROM jobplatform.finished_count_changes WHERE (SELECT mine FROM turn)
                RETURNING queue, state, n),
            folded AS (
                INSERT INTO jobplatform.finished_counts AS c (queue, state, n)
                SELECT queue, state, sum(n) FROM moved GROUP BY queue, state
                ON CONFLICT (queue, state) DO UPDATE SET n = c.n + excluded.n)
            SELECT count(*)::int FROM moved
            """, cancellationToken);
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
