using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace JobPlatform.Benchmarks.Scale;

/// <summary>
/// <c>profile [--jobs 300000] [--concurrency 200] [--drop-index name,…] [--without-count-triggers]</c>: where a no-op
/// drain's time goes (the last two show what an index or the counting triggers cost, by their absence). A temporary PostgreSQL with
/// <c>pg_stat_statements</c>; a backlog drained by one worker in this process; then the cost per job: this process's
/// CPU, PostgreSQL's CPU (its processes, from /proc), transactions and WAL bytes, and the statements by total time
/// with their calls per job. For the .NET side, record the same run with <c>dotnet-trace collect</c>.
/// </summary>
public static partial class ProfileCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var jobs = int.Parse(Arg("--jobs") ?? "300000", CultureInfo.InvariantCulture);
        var probes = Arg("--latency");
        // Defaults: the latency probes at concurrency 25, a drain at 200 (as in the earlier runs).
        var concurrency = int.Parse(Arg("--concurrency") ?? (probes is null ? "200" : "25"), CultureInfo.InvariantCulture);
        // The latency probes track planning too (plans and their mean time per statement: is a statement planned
        // afresh on every call?); the drain does not, so that its figures stay comparable with earlier runs.
        await using var server = await BenchServer.StartAsync(["shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=all",
            $"pg_stat_statements.track_planning={(probes is null ? "off" : "on")}"]);
        Console.WriteLine($"PostgreSQL: {await server.SettingsAsync()}");
        var db = await server.CreateDatabaseAsync("profile", maxPoolSize: 300);
        await ExecuteAsync(db, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        await ScaleHost.RegisterAsync(db);
        if (probes is not null) return await LatencyAsync(server, db, int.Parse(probes, CultureInfo.InvariantCulture), concurrency);
        // What a part of the schema costs, by its absence (for a comparison; the engine is not correct without them).
        foreach (var index in (Arg("--drop-index") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            await ExecuteAsync(db, $"DROP INDEX jobplatform.{index}");
        if (args.Contains("--without-count-triggers"))
            await ExecuteAsync(db, "ALTER TABLE jobplatform.jobs DISABLE TRIGGER job_counts_insert, DISABLE TRIGGER job_counts_update, DISABLE TRIGGER job_counts_delete");
        await using (var client = await EngineHost.StartClientAsync(db))
            for (var from = 0; from < jobs; from += 100_000)
            {
                var to = Math.Min(jobs, from + 100_000);
                await client.WithClientAsync(c => Jobs.Client.JobClientExtensions.EnqueueManyAsync(c, ScaleHost.Quick, Enumerable.Range(from, to - from).Select(i => new ScalePayload(i))));
            }
        await ExecuteAsync(db, "VACUUM ANALYZE jobplatform.jobs");
        await server.CheckpointAsync();
        await ExecuteAsync(db, "SELECT pg_stat_statements_reset(), pg_stat_reset_shared('wal')");

        ScaleCounter.Reset();
        var (walBefore, commitsBefore) = await WalAndCommitsAsync(db);
        var postgresBefore = PostgresCpu();
        var selfBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using (var worker = ScaleHost.Build(db, o => o.Concurrency = concurrency))
        {
            await worker.StartAsync();
            while (ScaleCounter.Done < jobs) await Task.Delay(20);
            clock.Stop();
            await worker.StopAsync();
        }
        var self = Process.GetCurrentProcess().TotalProcessorTime - selfBefore;
        var postgres = PostgresCpu() - postgresBefore;
        var (walAfter, commitsAfter) = await WalAndCommitsAsync(db);

        Console.WriteLine($"Drained {jobs:N0} no-op jobs with concurrency {concurrency} in {clock.Elapsed.TotalSeconds:N1} s: {jobs / clock.Elapsed.TotalSeconds:N0}/s");
        Console.WriteLine($"Per job: worker CPU {self.TotalMicroseconds / jobs:N1} µs, PostgreSQL CPU {postgres.TotalMicroseconds / jobs:N1} µs, "
            + $"{(commitsAfter - commitsBefore) / (double)jobs:N3} transactions, {(walAfter - walBefore) / (double)jobs:N0} WAL bytes");
        Console.WriteLine($"CPU: worker {self.TotalSeconds / clock.Elapsed.TotalSeconds * 100:N0} % of a core, PostgreSQL {postgres.TotalSeconds / clock.Elapsed.TotalSeconds * 100:N0} % (2 cores = 200 %)");
        Console.WriteLine();
        await PrintStatementsAsync(db, jobs);
        return 0;
    }

    /// <summary>The statements by total time, from <c>pg_stat_statements</c>, with their calls per 1,000 jobs.</summary>
    private static async Task PrintStatementsAsync(string db, int jobs)
    {
        Console.WriteLine("| statement | calls per 1,000 jobs | total ms | mean ms | rows per call | share of time | plans per call | mean plan ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT regexp_replace(left(query, 140), '\s+', ' ', 'g'), calls, total_exec_time, mean_exec_time, rows,
                   total_exec_time / sum(total_exec_time) OVER () * 100, plans, mean_plan_time
            FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY total_exec_time DESC LIMIT 15
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            Console.WriteLine($"| `{reader.GetString(0).Replace("|", "\\|")}` | {reader.GetInt64(1) * 1000.0 / jobs:N1} | {reader.GetDouble(2):N0} | {reader.GetDouble(3):N3} | {reader.GetInt64(4) / (double)Math.Max(1, reader.GetInt64(1)):N1} | {reader.GetDouble(5):N1} % | {reader.GetInt64(6) / (double)Math.Max(1, reader.GetInt64(1)):N2} | {reader.GetDouble(7):N3} |");
    }

    private static async Task ExecuteAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<(long Wal, long Commits)> WalAndCommitsAsync(string db)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT wal_bytes FROM pg_stat_wal)::bigint, (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>CPU time of every PostgreSQL process on this machine (the postmaster and its children), from /proc.</summary>
    private static TimeSpan PostgresCpu()
    {
        var total = TimeSpan.Zero;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (!File.ReadAllText(Path.Combine(dir, "comm")).StartsWith("postgres", StringComparison.Ordinal)) continue;
                total += Idle.ProcessUsage.Read(pid).Cpu;
            }
            catch (IOException) { } // the process ended meanwhile
            catch (UnauthorizedAccessException) { }
        }
        return total;
    }
}
