using JobPlatform.Benchmarks.Chaos;
using Npgsql;

namespace JobPlatform.Benchmarks.Explore;

/// <summary>The invariants every seed must keep; each failure is one line naming what broke and how often.</summary>
public static class ExploreVerifier
{
    /// <summary>How far apart this machine's clock (the handlers' run log) and the database's may be: one host.</summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(50);

    /// <param name="lease">The workers' lease: a stall within one lease before a run began explains an overlap with it.</param>
    public static async Task<List<string>> VerifyAsync(ChaosDatabase db, ExploreLedger ledger, TimeSpan lease)
    {
        var failures = new List<string>();
        void Expect(long actual, string what)
        {
            if (actual != 0) failures.Add($"{actual:N0} {what}");
        }

        var mustExist = ledger.Accepted.Keys.Where(id => !ledger.Deleted.ContainsKey(id) && !ledger.Uncertain.ContainsKey(id)).ToArray();
        Expect(mustExist.Length - await db.ScalarAsync("SELECT count(*) FROM jobplatform.jobs WHERE id = ANY($1)", mustExist),
            "accepted jobs are missing");
        Expect(await db.ScalarAsync("SELECT count(*) FROM jobplatform.jobs WHERE id = ANY($1)", ledger.RolledBack.Keys.ToArray()),
            "jobs of rolled-back transactions exist");
        var unfinished = await db.CountsAsync("""
            SELECT id || ' ' || type || ' ' || state || ' owner ' || COALESCE(lease_owner, '-') || ' lease '
                   || COALESCE(to_char(lease_expires_at - now(), 'SS.MS'), '-') || ' s, run at ' || to_char(run_at - now(), 'SS.MS')
                   || ' s, attempt ' || attempt || ', rescues ' || rescues, 1
            FROM jobplatform.jobs WHERE state NOT IN ('succeeded', 'failed', 'cancelled') LIMIT 3
            """);
        if (unfinished.Count > 0) failures.Add($"jobs did not end, e.g. {string.Join("; ", unfinished.Keys)}");
        Expect(await db.ScalarAsync("SELECT count(*) FROM jobplatform.jobs WHERE lease_owner IS NOT NULL OR lease_expires_at IS NOT NULL"),
            "jobs are still claimed");
        Expect(await db.ScalarAsync("SELECT count(*) FROM (SELECT 1 FROM chaos.effects GROUP BY job_id, token HAVING count(*) > 1) d"),
            "claims (fencing tokens) applied their effect more than once");
        Expect(await db.ScalarAsync("""
            SELECT count(*) FROM jobplatform.jobs j
            WHERE j.state = 'succeeded' AND j.type LIKE 'explore.%'
              AND (SELECT count(*) FROM chaos.effects e WHERE e.job_id = j.id AND e.token = j.fencing_token) <> 1
            """), "succeeded jobs whose successful claim did not apply its effect exactly once");

        var runs = await RunsAsync(db);
        var (overlaps, falling) = (0, 0);
        var (examples, fallingExamples) = (new List<string>(), new List<string>());
        foreach (var job in runs.GroupBy(r => r.JobId))
        {
            var byStart = job.OrderBy(r => r.StartedAt).ToList();
            for (var i = 1; i < byStart.Count; i++)
            {
                var (earlier, later) = (byStart[i - 1], byStart[i]);
                // A run that starts after a later claim's run holds an older claim: its worker took its claim, then
                // could not run (frozen, stalled) until its lease was gone, and started a handler its lease watch must
                // stop at once. Excused only so (and its overlap with the newer run with it); otherwise tokens went back.
                if (later.Token <= earlier.Token)
                {
                    var paused = ledger.WasFrozenDuring(later.Pid, later.StartedAt - lease, later.StartedAt)
                                 || ledger.StalledWithin(later.Pid, later.StartedAt - lease, later.StartedAt);
                    if (paused && later.StoppedAt is { } staleStop && staleStop - later.StartedAt <= lease / 4)
                    {
                        if (Interlocked.Increment(ref ledger.ExcusedFalls) <= 2)
                            ledger.Excused.Add($"token fell: {await DescribeAsync(db, job.Key, earlier, later, earlier.StoppedAt ?? earlier.StartedAt)}; {Pauses(ledger, later.Pid)}");
                        continue;
                    }
                    else
                    {
                        falling++;
                        if (fallingExamples.Count < 3)
                        {
                            ledger.Overlapping.Add(job.Key);
                            fallingExamples.Add(await DescribeAsync(db, job.Key, earlier, later, earlier.StoppedAt ?? earlier.StartedAt) + "; " + Pauses(ledger, later.Pid));
                        }
                    }
                }
                // Two runs of one job at once, the earlier one not frozen (its lease could not have been valid then).
                if (earlier.StoppedAt is { } stopped && stopped > later.StartedAt + Tolerance && !ledger.WasFrozenDuring(earlier.Pid, earlier.StartedAt, stopped))
                {
                    // Nor stalled when its lease watch had to stop it: a process that cannot run cannot stop its handler.
                    if (ledger.StalledWithin(earlier.Pid, later.StartedAt - lease, later.StartedAt))
                    {
                        // Shown with the seed, so that each excuse can be checked by eye.
                        if (Interlocked.Increment(ref ledger.ExcusedOverlaps) <= 2)
                            ledger.Excused.Add(await DescribeAsync(db, job.Key, earlier, later, stopped) + "; " + Pauses(ledger, earlier.Pid));
                        continue;
                    }
                    overlaps++;
                    if (examples.Count < 3)
                    {
                        ledger.Overlapping.Add(job.Key);
                        examples.Add(await DescribeAsync(db, job.Key, earlier, later, stopped) + "; " + Pauses(ledger, earlier.Pid));
                    }
                }
            }
        }
        Expect(falling, "runs whose fencing token did not rise above the job's previous run's"
                        + (fallingExamples.Count > 0 ? $" ({string.Join("; ", fallingExamples)})" : ""));
        Expect(overlaps, "runs of a job that overlapped an earlier run still going, unfrozen, with a valid lease"
                         + (examples.Count > 0 ? $" ({string.Join("; ", examples)})" : ""));
        Expect(Math.Max(0, MostAtOnce(runs.Where(r => r.Type == ExploreJob.Limited && !ledger.WasFrozenDuring(r.Pid, r.StartedAt, r.StoppedAt ?? r.StartedAt)
                                                      && !ledger.StalledWithin(r.Pid, r.StartedAt, r.StoppedAt ?? r.StartedAt))) - ExploreJob.Limit),
            $"more {ExploreJob.Limited} runs at once than its cluster-wide limit of {ExploreJob.Limit}");

        // Continuations: each moved on once, as its parent's outcome says (where no one cancelled or deleted either).
        foreach (var (child, kind) in ledger.Accepted.Where(a => a.Value.StartsWith("continuation:", StringComparison.Ordinal)))
        {
            var parts = kind.Split(':');
            var parent = Guid.Parse(parts[1]);
            if (ledger.Touched.ContainsKey(child) || ledger.Touched.ContainsKey(parent) || ledger.Uncertain.ContainsKey(parent)) continue;
            var states = await db.CountsAsync("SELECT id::text || ':' || state, 1 FROM jobplatform.jobs WHERE id = ANY($1)", new[] { child, parent });
            var parentState = states.Keys.FirstOrDefault(k => k.StartsWith(parent.ToString(), StringComparison.Ordinal))?.Split(':')[1];
            var childState = states.Keys.FirstOrDefault(k => k.StartsWith(child.ToString(), StringComparison.Ordinal))?.Split(':')[1];
            var shouldRun = parts[2] switch
            {
                "OnSuccess" => parentState == "succeeded",
                "OnFailure" => parentState == "failed",
                _ => parentState is not null,
            };
            if (parentState is null || shouldRun != (childState is "succeeded" or "failed"))
                failures.Add($"continuation {child} ({parts[2]}) ended {childState} after its parent ended {parentState ?? "deleted"}");
        }

        // Batches: closed, with exactly one callback.
        var batches = ledger.Batches.ToArray();
        Expect(await db.ScalarAsync("SELECT count(*) FROM jobplatform.batches WHERE id = ANY($1) AND finished_at IS NULL", batches), "batches never closed");
        Expect(await db.ScalarAsync("""
            SELECT count(*) FROM jobplatform.batches b
            WHERE b.id = ANY($1)
              AND (SELECT count(*) FROM jobplatform.jobs j WHERE j.type = 'explore.callback' AND ('batch:' || b.id) = ANY(j.tags)) <> 1
            """, batches), "batches whose callback was not enqueued exactly once");

        // The schedule: each second fired once, none skipped between the first and the last.
        var occurrences = await db.CountsAsync($"""
            SELECT unique_key, count(*) FROM jobplatform.jobs WHERE unique_key LIKE 'schedule:{ExploreWorker.Schedule}:%' GROUP BY unique_key
            """);
        Expect(occurrences.Count(o => o.Value > 1), "schedule occurrences fired more than once");
        var times = occurrences.Keys.Select(k => DateTimeOffset.Parse(k[$"schedule:{ExploreWorker.Schedule}:".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .Order().ToList();
        // The seed waited, before pausing the schedule, for an occurrence due after the heal to fire, and with it
        // the catch-up of any missed while no leader could fire them.
        if (times.Count == 0) failures.Add($"the schedule never fired; {await SchedulerStateAsync(db)}");
        else Expect((long)(times[^1] - times[0]).TotalSeconds + 1 - times.Count, "schedule occurrences skipped");
        return failures;
    }

    /// <summary>What the scheduler left behind, to tell a schedule never stored from a leader that never fired it.</summary>
    public static async Task<string> SchedulerStateAsync(ChaosDatabase db)
    {
        var state = await db.CountsAsync("""
            SELECT 'schedule ' || name || ' next ' || next_run_at || CASE WHEN paused THEN ' paused' ELSE '' END
                   || ' created ' || created_at || ' updated ' || updated_at || ' last occurrence ' || coalesce(last_occurrence_at::text, '-')
                   || ' last job ' || coalesce(last_job_id::text, '-') || ' last skip ' || coalesce(last_skip_reason, '-'), 1 FROM jobplatform.schedules
            UNION ALL SELECT 'occurrence ' || unique_key || ' created ' || created_at || ' ' || state, 1 FROM jobplatform.jobs WHERE unique_key LIKE 'schedule:%'
            UNION ALL SELECT 'lease ' || name || ' held by ' || holder || ' until ' || expires_at || ' term ' || term, 1 FROM jobplatform.leases
            UNION ALL SELECT 'database now ' || now(), 1
            """);
        return string.Join("; ", state.Keys);
    }

    private sealed record Run(Guid JobId, long Token, string Type, int Pid, DateTimeOffset StartedAt, DateTimeOffset? StoppedAt, DateTimeOffset? ToldAt, DateTimeOffset? EndedAt);

    private static Task<List<Run>> RunsAsync(ChaosDatabase db) => ChaosDatabase.DespiteOutagesAsync(async () =>
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT job_id, token, type, pid, started_at, stopped_at, told_at, ended_at FROM explore.runs", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var runs = new List<Run>();
        DateTimeOffset? At(int column) => reader.IsDBNull(column) ? null : reader.GetFieldValue<DateTimeOffset>(column);
        while (await reader.ReadAsync())
            runs.Add(new Run(reader.GetGuid(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4), At(5), At(6), At(7)));
        return runs;
    });

    private static async Task<string> DescribeAsync(ChaosDatabase db, Guid job, Run earlier, Run later, DateTimeOffset stopped) =>
        $"job {job}: token {earlier.Token} (pid {earlier.Pid}) ran {earlier.StartedAt:HH:mm:ss.fff}-{stopped:HH:mm:ss.fff} " +
        $"(told to stop {earlier.ToldAt?.ToString("HH:mm:ss.fff") ?? "never"}, ended {earlier.EndedAt:HH:mm:ss.fff}), " +
        $"token {later.Token} (pid {later.Pid}) started {later.StartedAt:HH:mm:ss.fff}; its attempts: {await AttemptsAsync(db, job)}";

    /// <summary>When a worker was frozen (SIGSTOP) or stalled (its timers late), for a report.</summary>
    private static string Pauses(ExploreLedger ledger, int pid) =>
        $"pid {pid} frozen {Spans(ledger.Frozen.Where(f => f.Pid == pid).Select(f => (f.From, f.To)))}, " +
        $"stalled {Spans(ledger.Stalled.Where(st => st.Pid == pid).Select(st => (st.From, st.To)))}";

    private static string Spans(IEnumerable<(DateTimeOffset From, DateTimeOffset To)> spans) =>
        spans.Any() ? string.Join(", ", spans.Select(x => $"{x.From:HH:mm:ss.fff}-{x.To:HH:mm:ss.fff}")) : "never";

    /// <summary>A job's attempt history as the database has it (claims and their ends, by its clock), for a report.</summary>
    private static async Task<string> AttemptsAsync(ChaosDatabase db, Guid jobId)
    {
        var attempts = await db.CountsAsync("""
            SELECT fencing_token || ' ' || server || ' ' || to_char(started_at, 'HH24:MI:SS.MS') || '-' || coalesce(to_char(finished_at, 'HH24:MI:SS.MS'), '?')
                   || ' ' || outcome, fencing_token FROM jobplatform.job_attempts WHERE job_id = $1
            UNION ALL SELECT 'now ' || state || ' token ' || fencing_token || ' lease until ' || coalesce(to_char(lease_expires_at, 'HH24:MI:SS.MS'), '-'), 9223372036854775807
            FROM jobplatform.jobs WHERE id = $1
            """, jobId);
        return string.Join("; ", attempts.OrderBy(a => a.Value).Select(a => a.Key));
    }

    /// <summary>The most runs going at one instant (a run without a logged stop counts until its start only).</summary>
    private static int MostAtOnce(IEnumerable<Run> runs)
    {
        var events = runs.SelectMany(r => new[] { (At: r.StartedAt, Delta: 1), (At: (r.StoppedAt ?? r.StartedAt) - Tolerance, Delta: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Delta);
        var (now, most) = (0, 0);
        foreach (var e in events) most = Math.Max(most, now += e.Delta);
        return most;
    }
}
