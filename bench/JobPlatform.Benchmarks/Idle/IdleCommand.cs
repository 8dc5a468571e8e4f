using System.Diagnostics;
using System.Globalization;
using JobPlatform.Benchmarks.Compare;
using JobPlatform.Jobs.Client;
using Npgsql;

namespace JobPlatform.Benchmarks.Idle;

/// <summary>
/// <c>idle [--seconds 60] [--processes 1,4] [--setups id,id,…] [--latency-samples 200]</c>: what idle workers cost.
/// For each engine setup (give each peer its best latency setting, as <c>compare</c>'s sweep printed it) and each
/// number of worker processes: the workers start on a fresh database, settle for 10 s, then for the window the
/// database's transactions (<c>pg_stat_database</c>) and each process's CPU time and memory are read. For JobPlatform
/// the enqueue-to-start latency is then measured on the same idle workers, on the database's clock, so the cost is
/// shown with the wake-up it buys.
/// </summary>
public static class IdleCommand
{
    private static readonly string[] DefaultSetups =
        ["JobPlatform//25", "Hangfire/longpolling=off;poll=15/25", "Quartz/clustered=on;lockoninsert=off;useproperties=on/25"];

    public static async Task<int> RunAsync(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var window = TimeSpan.FromSeconds(int.Parse(Arg("--seconds") ?? "60", CultureInfo.InvariantCulture));
        var processCounts = (Arg("--processes") ?? "1,4").Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
        var setups = (Arg("--setups")?.Split(',') ?? DefaultSetups).Select(EngineSetup.Parse).ToList();
        var samples = int.Parse(Arg("--latency-samples") ?? "200", CultureInfo.InvariantCulture);

        await using var server = await BenchServer.StartAsync();
        Console.WriteLine($"PostgreSQL: {await server.SettingsAsync()}");
        Console.WriteLine($"Idle workers: {window.TotalSeconds:N0} s measured after 10 s of settling; CPU is a share of one core");
        Console.WriteLine();
        Console.WriteLine("| engine | setting | processes | transactions/s | CPU per process | RSS per process | latency p50 / p99 (database clock) |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var setup in setups)
            foreach (var processes in processCounts)
                Console.WriteLine(await MeasureAsync(server, setup, processes, window, samples));
        return 0;
    }

    private static async Task<string> MeasureAsync(BenchServer server, EngineSetup setup, int processes, TimeSpan window, int samples)
    {
        var db = await server.CreateDatabaseAsync($"idle_{setup.Engine.ToLowerInvariant()}_{processes}");
        await using (var schema = setup.Create()) await schema.InitializeAsync(db);
        await server.CheckpointAsync();
        var workers = Enumerable.Range(0, processes).Select(_ => PeerWorkerCommand.Start(setup, db)).ToList();
        try
        {
            using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            foreach (var worker in workers) await PeerWorkerCommand.ReadyAsync(worker, startup.Token);
            await Task.Delay(TimeSpan.FromSeconds(10));

            var transactionsBefore = await TransactionsAsync(server, db);
            var usageBefore = workers.Select(w => ProcessUsage.Read(w.Id)).ToList();
            var clock = Stopwatch.StartNew();
            await Task.Delay(window);
            var transactions = (await TransactionsAsync(server, db) - transactionsBefore) / clock.Elapsed.TotalSeconds;
            var usageAfter = workers.Select(w => ProcessUsage.Read(w.Id)).ToList();
            var cpu = usageAfter.Zip(usageBefore, (a, b) => (a.Cpu - b.Cpu) / clock.Elapsed * 100).ToList();
            var rss = usageAfter.Select(u => u.RssBytes / 1048576.0).ToList();

            var latency = setup.Engine == EngineSetup.JobPlatform ? await LatencyAsync(db, samples) : "-";
            return $"| {setup.Engine} | {setup.Description} | {processes} | {transactions:N1} | {cpu.Average():N2} % (max {cpu.Max():N2} %) | {rss.Average():N0} MiB | {latency} |";
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.StandardInput.Close();
                if (!worker.WaitForExit(TimeSpan.FromSeconds(15))) worker.Kill(entireProcessTree: true);
                worker.Dispose();
            }
            await server.DropDatabaseAsync(db);
        }
    }

    /// <summary>The database's committed and rolled-back transactions so far (its own statistics, flushed within a second).</summary>
    private static async Task<long> TransactionsAsync(BenchServer server, string db)
    {
        await using var connection = new NpgsqlConnection(server.AdminConnectionString);
        await connection.OpenAsync();
        await using (var flush = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", connection)) await flush.ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = new NpgsqlConnectionStringBuilder(db).Database });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Probes enqueued 100 ms apart from this process; each one's wait from its insert to its claim, on the database's clock.</summary>
    private static async Task<string> LatencyAsync(string db, int samples)
    {
        await using var producer = await EngineHost.StartClientAsync(db);
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < samples + 5; i++)
        {
            var probe = new WorkPayload(WorkKind.Noop, i);
            ids.Add((await producer.WithClientAsync(c => c.EnqueueAsync(EngineHost.WorkJobName, probe))).Id);
            await Task.Delay(100);
        }
        await Task.Delay(1000);
        await using var command = new NpgsqlCommand("""
            SELECT extract(epoch FROM started_at - created_at) * 1000 FROM jobplatform.jobs
            WHERE id = ANY($1) AND started_at IS NOT NULL ORDER BY created_at OFFSET 5
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. ids] });
        var waits = new List<double>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) waits.Add((double)reader.GetDecimal(0));
        if (waits.Count < samples) return $"only {waits.Count} of {samples} probes started";
        waits.Sort();
        double P(double q) => waits[(int)Math.Ceiling(q * waits.Count) - 1];
        return $"{P(0.50):N2} / {P(0.99):N2} ms";
    }
}
