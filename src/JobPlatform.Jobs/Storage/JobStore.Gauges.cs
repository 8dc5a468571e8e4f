namespace JobPlatform.Jobs.Storage;

/// <summary>
/// The leader's gauges, sampled every few seconds: the depth from the counts the database keeps
/// (<see cref="JobCountsSql"/>), the oldest wait by skipping through the partial indexes of waiting jobs; neither
/// reads more than a few entries per queue, type and priority.
/// </summary>
public sealed partial class JobStore
{
    /// <summary>The statement of <see cref="CountUnfinishedAsync"/>: every unfinished state of every queue, zero where there is none.</summary>
    internal static readonly string CountUnfinishedSql = $"""
        WITH counts AS ({JobCountsSql})
        SELECT q.queue, s.state, COALESCE(c.n, 0)
        FROM (SELECT queue FROM jobplatform.job_types UNION SELECT queue FROM counts) q
        CROSS JOIN unnest(ARRAY[{Unfinished[1..^1]}]) AS s(state)
        LEFT JOIN counts c ON c.queue = q.queue AND c.state = s.state
        """;

    /// <summary>Unfinished jobs by queue and state (for the queue-depth gauge).</summary>
    public async Task<List<(string Queue, string State, long Count)>> CountUnfinishedAsync(CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync(CountUnfinishedSql, cancellationToken);
        var rows = new List<(string, string, long)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        return rows;
    }

    /// <summary>The statement of <see cref="OldestWaitAsync"/>.</summary>
    internal const string OldestWaitSql = """
        WITH RECURSIVE heads AS (
            (SELECT j.queue, j.type, j.priority, j.run_at FROM jobplatform.jobs j WHERE j.state = 'enqueued'
             ORDER BY j.queue, j.type, j.priority DESC, j.run_at, j.id LIMIT 1)
            UNION ALL
            SELECT n.queue, n.type, n.priority, n.run_at FROM heads h CROSS JOIN LATERAL (
                SELECT * FROM (
                    (SELECT j.queue, j.type, j.priority, j.run_at FROM jobplatform.jobs j
                     WHERE j.state = 'enqueued' AND j.queue = h.queue AND j.type = h.type AND j.priority < h.priority
                     ORDER BY j.priority DESC, j.run_at, j.id LIMIT 1)
                    UNION ALL
                    (SELECT j.queue, j.type, j.priority, j.run_at FROM jobplatform.jobs j
                     WHERE j.state = 'enqueued' AND j.queue = h.queue AND j.type > h.type
                     ORDER BY j.type, j.priority DESC, j.run_at, j.id LIMIT 1)
                    UNION ALL
                    (SELECT j.queue, j.type, j.priority, j.run_at FROM jobplatform.jobs j
                     WHERE j.state = 'enqueued' AND j.queue > h.queue
                     ORDER BY j.queue, j.type, j.priority DESC, j.run_at, j.id LIMIT 1)) next
                LIMIT 1) n),
        later AS (
            (SELECT j.queue, j.run_at FROM jobplatform.jobs j WHERE j.state = 'scheduled' ORDER BY j.queue, j.run_at LIMIT 1)
            UNION ALL
            SELECT n.queue, n.run_at FROM later l CROSS JOIN LATERAL (
                SELECT j.queue, j.run_at FROM jobplatform.jobs j WHERE j.state = 'scheduled' AND j.queue > l.queue
                ORDER BY j.queue, j.run_at LIMIT 1) n),
        waits AS (
            SELECT queue, min(run_at) AS oldest
            FROM (SELECT queue, run_at FROM heads UNION ALL SELECT queue, run_at FROM later WHERE run_at <= now()) w
            GROUP BY queue)
        SELECT q.queue, COALESCE(extract(epoch FROM now() - w.oldest)::float8, 0)
        FROM (SELECT queue FROM jobplatform.job_types UNION SELECT queue FROM heads UNION SELECT queue FROM later) q
        LEFT JOIN waits w ON w.queue = q.queue
        """;

    /// <summary>
    /// Per queue, how long its longest-waiting due job has waited (for the oldest-wait gauge); 0 for a queue with no
    /// due job that a job type uses or that holds jobs due later. Read by skipping through the indexes: the oldest
    /// enqueued job of each (queue, type, priority) is the first of its range in <c>ix_jobs_due</c>, and the oldest
    /// scheduled job of each queue the first of its range in <c>ix_jobs_scheduled</c> (due but not yet moved to
    /// enqueued when no claim has run on its queue since). So it reads a few index entries per queue, type and
    /// priority, whatever the backlog.
    /// </summary>
    public async Task<List<(string Queue, double Seconds)>> OldestWaitAsync(CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync(OldestWaitSql, cancellationToken);
        var rows = new List<(string, double)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) rows.Add((reader.GetString(0), Math.Max(0, reader.GetDouble(1))));
        return rows;
    }
}
