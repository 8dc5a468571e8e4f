using System.Diagnostics;
using Npgsql;

namespace JobPlatform.Benchmarks;

/// <summary>The measurements. Each starts from a fresh database unless it says otherwise.</summary>
public sealed class Scenarios(BenchServer server, Options options)
{
    private const string Payload = """{"n": 1}""";

    public async Task<Measure> SingleEnqueueAsync()
    {
        var db = await server.CreateDatabaseAsync("bench_single");
        await using var host = await EngineHost.StartAsync(db, process: false);
        for (var i = 0; i < 100; i++) await host.WithClientAsync(c => c.EnqueueAsync("noop", Payload)); // warm-up

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < options.Single; i++) await host.WithClientAsync(c => c.EnqueueAsync("noop", Payload));
        var rate = options.Single / clock.Elapsed.TotalSeconds;
        return new Measure($"enqueue, one at a time ({options.Single:N0} jobs, one scope each)", $"{rate:N0} jobs/s", "-", null);
    }

    public async Task<Measure> BulkEnqueueAsync()
    {
        var db = await server.CreateDatabaseAsync("bench_bulk");
        await using var host = await EngineHost.StartAsync(db, process: false);
        await host.WithClientAsync(c => c.EnqueueManyAsync("noop", Enumerable.Repeat(Payload, 1000))); // warm-up

        var clock = Stopwatch.StartNew();
        await host.WithClientAsync(c => c.EnqueueManyAsync("noop", Enumerable.Repeat(Payload, options.Bulk)));
        var rate = options.Bulk / clock.Elapsed.TotalSeconds;
        return new Measure($"bulk enqueue ({options.Bulk:N0} jobs, one call, binary COPY)", $"{rate:N0} jobs/s", ">= 100,000 jobs/s", rate >= 100_000);
    }

    public async Task<(Measure Measure, double Rate)> DrainAsync(string database, string label, double? baseline = null)
    {
        await using (var producer = await EngineHost.StartAsync(database, process: false))
            await producer.WithClientAsync(c => c.EnqueueManyAsync("noop", Enumerable.Repeat(Payload, options.Drain)));

        var clock = Stopwatch.StartNew();
        await using var worker = await EngineHost.StartAsync(database, process: true, options.Concurrency);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        while (await RemainingAsync(connection) > 0) await Task.Delay(50);
        var rate = options.Drain / clock.Elapsed.TotalSeconds;

        var name = $"drain {options.Drain:N0} no-op jobs, 1 worker process, concurrency {options.Concurrency}{label}";
        return baseline is { } before
            ? (new Measure(name, $"{rate:N0} jobs/s ({(rate / before - 1) * 100:+0.0;-0.0} %)", "<= 10 % loss", rate >= before * 0.9), rate)
            : (new Measure(name, $"{rate:N0} jobs/s", ">= 10,000 jobs/s", rate >= 10_000), rate);
    }

    /// <summary>Drain throughput with several worker processes on one database: where PostgreSQL becomes the limit.</summary>
    public async Task<Measure> ScaleOutAsync(int processes)
    {
        var db = await server.CreateDatabaseAsync($"bench_scale_{processes}");
        await using var producer = await EngineHost.StartAsync(db, process: false);
        var workers = Enumerable.Range(0, processes).Select(_ => WorkerCommand.Start(db, options.Concurrency)).ToList();
        try
        {
            await using var connection = new NpgsqlConnection(db);
            await connection.OpenAsync();
            // Wait until every worker process is up (it registers itself), so start-up is not measured.
            while (await CountAsync(connection, "SELECT count(*) FROM jobplatform.servers WHERE in_flight >= 0") < processes)
                await Task.Delay(100);

            await producer.WithClientAsync(c => c.EnqueueManyAsync("noop", Enumerable.Repeat(Payload, options.Drain)));
            var clock = Stopwatch.StartNew();
            while (await RemainingAsync(connection) > 0) await Task.Delay(50);
            var rate = options.Drain / clock.Elapsed.TotalSeconds;
            return new Measure($"drain {options.Drain:N0} no-op jobs, {processes} worker process{(processes > 1 ? "es" : "")}, concurrency {options.Concurrency} each",
                $"{rate:N0} jobs/s", "-", null);
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Kill();
                await worker.WaitForExitAsync();
                worker.Dispose();
            }
        }
    }

    public async Task<Measure[]> IdleLatencyAsync()
    {
        var db = await server.CreateDatabaseAsync("bench_latency");
        await using var worker = await EngineHost.StartAsync(db, process: true, options.Concurrency);
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        var samples = new List<double>();
        for (var i = 0; i < options.LatencySamples + 10; i++)
        {
            var id = (await worker.WithClientAsync(c => c.EnqueueAsync("noop", Payload))).Id;
            double? waited;
            while ((waited = await StartDelayAsync(connection, id)) is null) await Task.Delay(1);
            if (i >= 10) samples.Add(waited.Value); // the first ten warm up
            await Task.Delay(20); // idle between jobs: this measures wake-up, not throughput
        }
        samples.Sort();
        double P(double q) => samples[(int)Math.Min(samples.Count - 1, Math.Ceiling(q * samples.Count) - 1)];
        var label = $"enqueue-to-start latency, idle ({options.LatencySamples} jobs, database clock)";
        return
        [
            new Measure($"{label} p50", $"{P(0.50):F2} ms", "<= 5 ms", P(0.50) <= 5),
            new Measure($"{label} p95", $"{P(0.95):F2} ms", "-", null),
            new Measure($"{label} p99", $"{P(0.99):F2} ms", "<= 15 ms", P(0.99) <= 15),
        ];
    }

    /// <summary>Adds finished jobs (with their attempt rows) as years of history would leave them.</summary>
    public static async Task AddHistoryAsync(string database, int count)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        string[] statements =
        [
            $$"""
            INSERT INTO jobplatform.jobs (id, type, queue, state, priority, payload, attempt, max_attempts, run_at,
                                          created_at, started_at, finished_at, fencing_token, tags)
            SELECT gen_random_uuid(), 'noop', 'default', 'succeeded', 0, '{"n": 1}', 1, 1, now(), now(), now(), now(), 0, '{}'
            FROM generate_series(1, {{count}})
            """,
            """
            INSERT INTO jobplatform.job_attempts (job_id, attempt, server, started_at, finished_at, outcome)
            SELECT id, 1, 'history', started_at, finished_at, 'succeeded' FROM jobplatform.jobs WHERE state = 'succeeded'
            ON CONFLICT DO NOTHING
            """,
            "VACUUM ANALYZE jobplatform.jobs",
            "VACUUM ANALYZE jobplatform.job_attempts",
            // Writing the history filled the WAL: without a checkpoint now, one falls inside the measured
            // drain (every page's first change after it is written whole) and is counted against history.
            "CHECKPOINT",
        ];
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    internal static async Task<long> RemainingAsync(NpgsqlConnection connection)
    {
        // One count per state, each matching one partial index's predicate: index-only scans, so watching the drain
        // does not compete with it (one count over several states scans the whole table, history included).
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM jobplatform.jobs WHERE state = 'enqueued')
                 + (SELECT count(*) FROM jobplatform.jobs WHERE state = 'scheduled')
                 + (SELECT count(*) FROM jobplatform.jobs WHERE state = 'processing')
            """, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static async Task<double?> StartDelayAsync(NpgsqlConnection connection, Guid id)
    {
        await using var command = new NpgsqlCommand(
            "SELECT extract(epoch FROM started_at - created_at) * 1000 FROM jobplatform.jobs WHERE id = $1 AND started_at IS NOT NULL", connection);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        return await command.ExecuteScalarAsync() is decimal ms ? (double)ms : null;
    }
}
