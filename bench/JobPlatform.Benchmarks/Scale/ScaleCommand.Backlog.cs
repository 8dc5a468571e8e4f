using System.Diagnostics;
using Npgsql;

namespace JobPlatform.Benchmarks.Scale;

public static partial class ScaleCommand
{
    /// <summary>
    /// A limited type (at most one running) whose one slot is held for the whole run, with a backlog of
    /// <paramref name="backlog"/> jobs held back behind it, beside unlimited no-op work on the same queue: the no-op
    /// drain, measured as in <c>compare</c>, against the same drain with no backlog; the two alternate,
    /// <paramref name="repeat"/> times each.
    /// </summary>
    private static async Task BacklogAsync(BenchServer server, TimeSpan window, int backlog, int drain, int repeat)
    {
        Console.WriteLine($"Drain of {drain:N0} no-op jobs (concurrency 200), window {window.TotalSeconds:N0} s after a twentieth:");
        var without = new List<double>();
        var with = new List<double>();
        for (var i = 0; i < repeat; i++)
        {
            foreach (var held in new[] { false, true })
            {
                await using var run = await Run.StartAsync(server, $"scale_backlog_{held}", o => o.Concurrency = 200);
                if (held)
                {
                    await run.FillAsync(ScaleHost.Held, 1, first: -1); // takes the one slot and keeps it
                    while (await ScalarAsync(run.Database, "SELECT count(*) FROM jobplatform.jobs WHERE state = 'processing'") < 1) await Task.Delay(20);
                    await run.FillAsync(ScaleHost.Held, backlog);
                    await VacuumAnalyzeAsync(run.Database);
                }
                await run.FillAsync(ScaleHost.Quick, drain);
                var rate = await RateAsync(drain / 20, window, stopAt: drain * 9 / 10);
                (held ? with : without).Add(rate);
                Console.WriteLine($"  {(held ? $"beside {backlog:N0} held-back jobs" : "no backlog")}: {rate:N0}/s");
            }
        }
        var (a, b) = (Compare.Summary.Median(without), Compare.Summary.Median(with));
        Console.WriteLine($"Median: {a:N0}/s with no backlog, {b:N0}/s beside the backlog: {(1 - b / a) * 100:N1} % loss (target: at most 10 %)");
    }

    private static async Task VacuumAnalyzeAsync(string db)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("VACUUM ANALYZE jobplatform.jobs", connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// History by real churn: <paramref name="jobs"/> no-op jobs pass through the engine (a producer keeps 100,000 to
    /// 300,000 waiting, by COPY) with retention deleting succeeded jobs after a minute and autovacuum at its defaults;
    /// the drain rate of every million. Then a transaction holds its snapshot (xmin) for
    /// <paramref name="hold"/> while the churn goes on, so nothing deleted since can be vacuumed: the rate per
    /// minute. Table and index sizes and dead tuples before, after the churn and after the hold.
    /// </summary>
    private static async Task ChurnAsync(BenchServer server, int jobs, TimeSpan hold)
    {
        await using var run = await Run.StartAsync(server, "scale_churn", o => o.Concurrency = 200,
            r => (r.Succeeded, r.Interval) = (TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10)));
        Console.WriteLine($"Start: {await TableStateAsync(run.Database)}");
        var produced = 0;
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (produced - ScaleCounter.Done < 100_000)
                {
                    await run.FillAsync(ScaleHost.Quick, 200_000, first: produced);
                    produced += 200_000;
                }
                else await Task.Delay(20);
            }
        });

        var segments = new List<double>();
        Console.WriteLine("| jobs done | drain of the last million | table | indexes | dead tuples |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        var clock = Stopwatch.StartNew();
        for (long next = 1_000_000; next <= jobs; next += 1_000_000)
        {
            var segmentStart = clock.Elapsed;
            while (ScaleCounter.Done < next) await Task.Delay(50);
            segments.Add(1_000_000 / (clock.Elapsed - segmentStart).TotalSeconds);
            Console.WriteLine($"| {next:N0} | {segments[^1]:N0}/s | {await TableStateAsync(run.Database, brief: true)} |");
        }
        Console.WriteLine($"Churn of {jobs:N0} jobs: first million {segments[0]:N0}/s, last {segments[^1]:N0}/s, best {segments.Max():N0}/s: "
            + $"{(1 - segments[^1] / segments.Take(3).Max()) * 100:N1} % loss from the best of the first three (target: at most 10 %)");
        Console.WriteLine($"After the churn: {await TableStateAsync(run.Database)}");

        // A transaction that keeps its snapshot: every row version deleted or updated since cannot be vacuumed.
        await using (var holder = new NpgsqlConnection(run.Database))
        {
            await holder.OpenAsync();
            await using var transaction = await holder.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
            await using (var snapshot = new NpgsqlCommand("SELECT count(*) FROM jobplatform.servers", holder, transaction)) await snapshot.ExecuteScalarAsync();
            var before = segments.Take(3).Max();
            Console.WriteLine($"Holding a snapshot for {hold.TotalMinutes:N0} min while the churn goes on:");
            Console.WriteLine("| minute | drain | vs best before | table | indexes | dead tuples |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
            for (var minute = 1; minute <= hold.TotalMinutes; minute++)
            {
                var start = ScaleCounter.Done;
                await Task.Delay(TimeSpan.FromMinutes(1));
                var rate = (ScaleCounter.Done - start) / 60.0;
                Console.WriteLine($"| {minute} | {rate:N0}/s | {(rate / before - 1) * 100:+0.0;-0.0} % | {await TableStateAsync(run.Database, brief: true)} |");
            }
            await transaction.RollbackAsync();
        }
        await stop.CancelAsync();
        await producer;
        Console.WriteLine($"After the hold: {await TableStateAsync(run.Database)}");
    }

    /// <summary>The jobs table's size, its indexes' and its dead tuples (as the statistics have them).</summary>
    private static async Task<string> TableStateAsync(string db, bool brief = false)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT pg_size_pretty(pg_table_size('jobplatform.jobs')), pg_size_pretty(pg_indexes_size('jobplatform.jobs')),
                   s.n_live_tup, s.n_dead_tup, s.autovacuum_count, s.autoanalyze_count,
                   (SELECT string_agg(c.relname || ' ' || pg_size_pretty(pg_relation_size(c.oid)), ', ' ORDER BY c.relname)
                    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'jobplatform.jobs'::regclass)
            FROM pg_stat_user_tables s WHERE s.relid = 'jobplatform.jobs'::regclass
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return brief
            ? $"{reader.GetString(0)} | {reader.GetString(1)} | {reader.GetInt64(3):N0}"
            : $"table {reader.GetString(0)}, indexes {reader.GetString(1)} ({reader.GetString(6)}); {reader.GetInt64(2):N0} live and {reader.GetInt64(3):N0} dead tuples; autovacuum ran {reader.GetInt64(4)} times, autoanalyze {reader.GetInt64(5)}";
    }
}
