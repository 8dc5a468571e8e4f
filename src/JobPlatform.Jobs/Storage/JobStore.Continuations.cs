using Npgsql;

namespace JobPlatform.Jobs.Storage;

/// <summary>Starting or skipping the continuations of jobs that have ended.</summary>
public sealed partial class JobStore
{
    /// <summary>SQL for the error of a continuation that will not run, given SQL for its parent, the parent's state and the condition.</summary>
    private static string SkippedReason(string parent, string parentState, string condition) =>
        $"'Skipped: parent job ' || {parent}::text || ' ' || COALESCE('ended ' || {parentState}, 'no longer exists')" +
        $" || ', and this continuation runs only if it ' || {condition} || '.'";

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
    /// outcome matches their condition (to scheduled, when it was enqueued with a delay that has not yet passed: only
    /// due jobs are enqueued; the clock is read now, not at the transaction's start, since a continuation inserted
    /// while the parent's completion ran may be due after that start), else to cancelled with the reason. Returns (id, new state). The rows are
    /// locked in id order first, as every statement that locks several jobs does: the periodic sweep and the release
    /// that follows a parent's end can reach the same continuations at once.
    /// </summary>
    /// <param name="which">A condition on <c>c2</c>, the waiting continuation.</param>
    internal static string ReleaseContinuationsSql(string which) => $"""
        WITH ready AS (
            SELECT c2.id, x.state, c2.parent_id, p.state AS parent_state, c2.continue_on
            FROM jobplatform.jobs c2
            LEFT JOIN jobplatform.jobs p ON p.id = c2.parent_id
            CROSS JOIN LATERAL (SELECT CASE
                WHEN p.state IS NOT NULL AND p.state NOT IN {Finished} THEN NULL
                WHEN c2.continue_on = 'always' AND p.state IS NOT NULL OR c2.continue_on = p.state THEN 'enqueued'
                ELSE 'cancelled' END AS state) x
            WHERE c2.state = 'awaiting' AND x.state IS NOT NULL AND {which}
            ORDER BY c2.id
            FOR NO KEY UPDATE OF c2)
        UPDATE jobplatform.jobs c
        SET state = CASE WHEN r.state = 'enqueued' AND c.run_at > clock_timestamp() THEN 'scheduled' ELSE r.state END,
            run_at = CASE WHEN r.state = 'cancelled' THEN c.run_at ELSE GREATEST(c.run_at, now()) END,
            finished_at = CASE WHEN r.state = 'cancelled' THEN now() END,
            error = CASE WHEN r.state = 'cancelled' THEN {SkippedReason("r.parent_id", "r.parent_state", "r.continue_on")} END
        FROM ready r
        WHERE c.id = r.id
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
}
