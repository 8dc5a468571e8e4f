using System.Diagnostics;
using System.Globalization;
using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.DependencyInjection;
using JobPlatform.Jobs.Storage;
using JobPlatform.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace JobPlatform.Benchmarks.Timers;

/// <summary>
/// <c>timers [--rows 10000000] [--runs 10]</c>: the engine's periodic statements (the leader's gauges, retention, the
/// rescuer's sweeps) and the dashboard's and api's reads, timed on a table of <c>--rows</c> jobs as a busy week leaves
/// it: half failed and cancelled within their retention, most of the rest succeeded in the last day, and 1 % unfinished
/// over 20 queues, 10 types and 3 priorities. Each is run once untimed (a first call compiles its query), then <c>--runs</c> times through the engine's own API (median and
/// maximum), then once more under EXPLAIN (ANALYZE, BUFFERS), whose plan is printed.
/// </summary>
public static class TimersCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var rows = int.Parse(Arg("--rows") ?? "10000000", CultureInfo.InvariantCulture);
        var runs = int.Parse(Arg("--runs") ?? "10", CultureInfo.InvariantCulture);

        await using var server = await BenchServer.StartAsync();
        var db = await server.CreateDatabaseAsync("timers");
        Console.WriteLine($"PostgreSQL: {await server.SettingsAsync()}");
        var captured = new CapturedCommand();
        using var host = BuildHost(db, captured);
        await host.StartAsync(); // migrates

        var clock = Stopwatch.StartNew();
        await PopulateAsync(db, rows);
        // The week's changes to the counts as the leader leaves them, folded every 5 s, and autovacuum after it: the
        // fill appended them all at once (a million jobs finishing over a week per statement, 1.1M change rows), which
        // no running engine does, and the counts' readers would otherwise scan them (0.13 s for the depth gauge).
        await using (var scope = host.Services.CreateAsyncScope())
            Console.WriteLine($"Folded {await scope.ServiceProvider.GetRequiredService<JobStore>().FoldJobCountsAsync(CancellationToken.None):N0} count changes of the fill");
        await using (var connection = new NpgsqlConnection(db))
        {
            await connection.OpenAsync();
            await QueryPlans.ExecuteAsync(connection, "VACUUM ANALYZE jobplatform.job_count_changes, jobplatform.job_counts, jobplatform.finished_minutes");
        }
        Console.WriteLine($"Populated {rows:N0} jobs in {clock.Elapsed.TotalSeconds:N0} s; {await SizesAsync(db)}");
        Console.WriteLine();

        var timed = new List<(string Name, double Median, double Max, string Plan)>();
        foreach (var (name, run, explain) in Statements(host, captured))
        {
            var times = new List<double>();
            await run(); // untimed: a process's first call of each also compiles its query (EF) and warms its pool
            for (var i = 0; i < runs; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await run();
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            times.Sort();
            timed.Add((name, times[times.Count / 2], times[^1], await explain(db)));
            Console.WriteLine($"  {name}: median {times[times.Count / 2]:N1} ms, max {times[^1]:N1} ms");
        }

        Console.WriteLine();
        Console.WriteLine($"| statement | median | max | under 50 ms |");
        Console.WriteLine("|---|---:|---:|---|");
        foreach (var (name, median, max, _) in timed)
            Console.WriteLine($"| {name} | {median:N1} ms | {max:N1} ms | {(max < 50 ? "yes" : "NO")} |");
        Console.WriteLine($"({runs} runs each after one untimed, through the engine's API from this process: the times include the round trip)");
        foreach (var (name, _, _, plan) in timed)
        {
            Console.WriteLine();
            Console.WriteLine($"### {name}");
            Console.WriteLine(plan);
        }
        await host.StopAsync();
        await server.DropDatabaseAsync(db);
        return 0;
    }

    private static IHost BuildHost(string db, CapturedCommand captured)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDbContextPool<JobsDbContext>(o => o.UseNpgsql(EngineConnectionString.Tune(db)).AddInterceptors(captured));
        builder.Services.AddJobPlatform();
        return builder.Build();
    }

    private delegate Task<string> Explain(string db);

    private static IEnumerable<(string Name, Func<Task> Run, Explain Explain)> Statements(IHost host, CapturedCommand captured)
    {
        async Task Store(Func<JobStore, Task> action)
        {
            await using var scope = host.Services.CreateAsyncScope();
            await action(scope.ServiceProvider.GetRequiredService<JobStore>());
        }
        async Task List(JobQuery query)
        {
            await using var scope = host.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IJobClient>().ListAsync(query);
        }
        Explain Plan(string sql, params (string Name, string Type, string Value)[] values) => db => ExplainAsync(db, sql,
            values.ToDictionary(v => v.Name, v => (v.Type, v.Value)));
        Explain Captured() => db => ExplainCapturedAsync(db, captured);
        var none = CancellationToken.None;

        yield return ("depth gauge (leader, every 5 s)", () => Store(s => s.CountUnfinishedAsync(none)), Plan(JobStore.CountUnfinishedSql));
        yield return ("oldest-wait gauge (leader, every 5 s)", () => Store(s => s.OldestWaitAsync(none)), Plan(JobStore.OldestWaitSql));
        yield return ("fold of the job counts (leader, every 5 s)", () => Store(s => s.FoldJobCountsAsync(none)), _ => Task.FromResult("(a DELETE … RETURNING of the changes appended since the last fold, and two upserts: no plan over jobs)"));
        yield return ("queue counts (overview and queues page, every 2 s per viewer)", () => Store(s => s.CountByQueueAsync(none)), Plan(JobStore.CountByQueueSql));
        yield return ("throughput of the last hour (overview)", () => Store(s => s.FinishedPerMinuteAsync(TimeSpan.FromHours(1), none)),
            Plan(JobStore.FinishedPerMinuteSql, ("window", "interval", "'1 hour'")));
        foreach (var (state, days) in new[] { ("succeeded", 1), ("failed", 7), ("cancelled", 7) }) // the default retentions
            yield return ($"retention pass, {state}, nothing past its retention (every minute)",
                () => Store(s => s.DeleteFinishedAsync(state, TimeSpan.FromDays(days), 1000, none)),
                Plan(JobStore.DeleteFinishedSql, ("state", "text", $"'{state}'"), ("keep", "interval", $"'{days} days'"), ("batch", "int", "1000")));
        yield return ("retention batch, 1,000 succeeded jobs deleted", () => Store(s => s.DeleteFinishedAsync("succeeded", TimeSpan.FromHours(10), 1000, none)),
            Plan(JobStore.DeleteFinishedSql, ("state", "text", "'succeeded'"), ("keep", "interval", "'10 hours'"), ("batch", "int", "1000")));
        yield return ("rescue of expired leases (every node, every 15 s)", () => Store(s => s.RescueExpiredAsync(none)), Plan(JobStore.RescueExpiredSql));
        yield return ("continuation safety net (every node, every 15 s)", () => Store(s => s.ReleaseContinuationsAsync(null, none)), Plan(JobStore.ReleaseContinuationsSql("true")));
        yield return ("open batches check (every node, every 15 s)", () => Store(s => s.FinishOpenBatchesAsync(none)), Plan(JobStore.OpenBatchesDoneSql));
        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1);
        foreach (var (label, query) in new (string, JobQuery)[]
        {
            ("job list, no filter", new JobQuery()),
            ("job list, failed", new JobQuery { State = JobState.Failed }),
            ("job list, cancelled", new JobQuery { State = JobState.Cancelled }),
            ("job list, processing", new JobQuery { State = JobState.Processing }),
            ("job list, scheduled", new JobQuery { State = JobState.Scheduled }),
            ("job list, awaiting", new JobQuery { State = JobState.Awaiting }),
            ("job list, enqueued on one queue", new JobQuery { State = JobState.Enqueued, Queue = "queue-7" }),
            ("job list, one queue", new JobQuery { Queue = "queue-7" }),
            ("job list, one type", new JobQuery { Type = "type-3" }),
            ("job list, a rare type (100 jobs over the week)", new JobQuery { Type = "rare" }),
            ("job list, created in the last hour", new JobQuery { CreatedFrom = hourAgo }),
            ("job list, failed, one type, created in the last hour", new JobQuery { State = JobState.Failed, Type = "type-3", CreatedFrom = hourAgo }),
        })
            yield return (label, () => List(query), Captured());
    }

    /// <summary>Runs the statement in a transaction that is rolled back (some of them change rows) under EXPLAIN.</summary>
    private static async Task<string> ExplainAsync(string db, string sql, Dictionary<string, (string Type, string Value)> values)
    {
        // Not pooled: the statement is PREPAREd under one name, and a pooled connection keeps its session (No Reset On Close).
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        return await QueryPlans.ExplainAsync(connection, "timed", sql, values, format: "TEXT");
    }

    private static async Task<string> ExplainCapturedAsync(string db, CapturedCommand captured)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        return $"{captured.Sql}\n\n{await QueryPlans.ExplainAsync(connection, captured, format: "TEXT")}";
    }

    /// <summary>
    /// Fills the table a million rows per statement, with time-ordered ids as the engine's (UUIDv7-like), then the
    /// statistics autovacuum would gather and a checkpoint.
    /// </summary>
    private static async Task PopulateAsync(string db, int rows)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        var failed = rows / 4;
        var cancelled = rows / 4;
        var unfinished = rows / 100;
        var succeeded = rows - failed - cancelled - unfinished;
        async Task Execute(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 3600 };
            await command.ExecuteNonQueryAsync();
        }
        var first = 0;
        foreach (var (state, count, finishedWithin) in new[] { ("failed", failed, "6 days"), ("cancelled", cancelled, "6 days"), ("succeeded", succeeded, "20 hours") })
        {
            for (var from = first; from < first + count; from += 1_000_000)
                await Execute(Insert(from, Math.Min(first + count, from + 1_000_000), $"'{state}'", $"now() - random() * interval '{finishedWithin}'"));
            first += count;
        }
        // Unfinished: mostly enqueued, a fifth due in the next hour, a tenth waiting for a parent, 1 % running.
        await Execute(Insert(first, first + unfinished,
            "CASE WHEN i % 100 < 69 THEN 'enqueued' WHEN i % 100 < 89 THEN 'scheduled' WHEN i % 100 < 99 THEN 'awaiting' ELSE 'processing' END",
            "NULL"));
        await Execute("""
            UPDATE jobplatform.jobs SET run_at = now() + random() * interval '1 hour' WHERE state = 'scheduled';
            UPDATE jobplatform.jobs SET lease_owner = 'timers', lease_expires_at = now() + interval '1 day', started_at = now() WHERE state = 'processing';
            UPDATE jobplatform.jobs SET parent_id = (SELECT id FROM jobplatform.jobs WHERE state = 'enqueued' LIMIT 1), continue_on = 'succeeded'
            WHERE state = 'awaiting';
            """);
        // A type with few jobs, spread over the week: a filter that matches little.
        await Execute("UPDATE jobplatform.jobs SET type = 'rare' WHERE id IN (SELECT id FROM jobplatform.jobs TABLESAMPLE BERNOULLI (0.001) WHERE state = 'failed' LIMIT 100)");
        await Execute("VACUUM ANALYZE jobplatform.jobs");
        await Execute("CHECKPOINT");
    }

    private static string Insert(int from, int to, string state, string finishedAt) => $$"""
        INSERT INTO jobplatform.jobs (id, type, queue, state, priority, payload, attempt, max_attempts, max_rescues, run_at,
                                      created_at, started_at, finished_at, fencing_token, tags, error)
        SELECT {{QueryPlans.V7Id("c.created", "h.h")}},
               'type-' || (i % 10), 'queue-' || (i % 20), s.state, (i % 3) * 5, jsonb_build_object('n', i), 1, 3, 3, c.created,
               c.created, c.finished, c.finished, i, '{}', CASE WHEN s.state = 'failed' THEN 'Timeout after 30 s (attempt 3 of 3)' END
        FROM generate_series({{from}}, {{to - 1}}) i
        CROSS JOIN LATERAL (SELECT md5(i::text) AS h) h
        CROSS JOIN LATERAL (SELECT {{state}} AS state) s
        -- Each row's own times: the i - i makes the subquery refer to the row, so random() is drawn per row (an
        -- uncorrelated subquery would be run once, and a million jobs would share one time).
        CROSS JOIN LATERAL (SELECT f AS finished, COALESCE(f, now() - random() * interval '1 hour' + (i - i) * interval '1 s') - interval '1 second' AS created
                            FROM (SELECT ({{finishedAt}})::timestamptz + (i - i) * interval '1 s' AS f) x) c
        """;

    private static async Task<string> SizesAsync(string db)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT 'jobs table ' || pg_size_pretty(pg_table_size('jobplatform.jobs')) || ', indexes ' ||
                   string_agg(c.relname || ' ' || pg_size_pretty(pg_relation_size(c.oid)), ', ' ORDER BY c.relname)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'jobplatform.jobs'::regclass
            """, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
