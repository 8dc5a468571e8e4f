using System.Globalization;
using JobPlatform.Jobs.Client;
using Npgsql;

namespace JobPlatform.Benchmarks.Scale;

public static partial class ProfileCommand
{
    /// <summary>
    /// <c>profile --latency N</c>: where an idle worker's enqueue-to-start latency goes. N probes, 25 ms apart, from a
    /// client in this process to a worker in this process (concurrency 25, or <c>--concurrency</c>), each split by the database's timestamps
    /// (one clock: this machine's): the enqueue call until its insert statement began (<c>created_at</c>), the insert
    /// until the claim statement began (commit, NOTIFY, wake-up, the batch's earlier statements: <c>started_at</c>),
    /// and the claim statement until the body began (claim, commit, hand-over). Then the statements' mean times.
    /// </summary>
    private static async Task<int> LatencyAsync(BenchServer server, string db, int probes, int concurrency)
    {
        using var worker = ScaleHost.Build(db, o => o.Concurrency = concurrency);
        await worker.StartAsync();
        await using var client = await EngineHost.StartClientAsync(db);
        const int warmUp = 200;
        await SendProbesAsync(client, 1_000_000, warmUp);
        await server.CheckpointAsync();
        await ExecuteAsync(db, "SELECT pg_stat_statements_reset()");
        await Task.Delay(1000);

        var sent = await SendProbesAsync(client, 0, probes);
        await worker.StopAsync();
        var rows = await ProbeTimesAsync(db);
        var parts = new Dictionary<string, List<double>>
        {
            ["enqueue call → insert statement"] = [], ["insert → claim statement"] = [], ["claim statement → body"] = [],
            ["enqueue call returned"] = [], ["total: enqueue call → body"] = [],
        };
        foreach (var (n, (called, returned)) in sent)
        {
            var (created, started) = rows[n];
            var body = ProbeJob.Started[n];
            parts["enqueue call → insert statement"].Add((created - called).TotalMilliseconds);
            parts["insert → claim statement"].Add((started - created).TotalMilliseconds);
            parts["claim statement → body"].Add((body - started).TotalMilliseconds);
            parts["enqueue call returned"].Add((returned - called).TotalMilliseconds);
            parts["total: enqueue call → body"].Add((body - called).TotalMilliseconds);
        }
        Console.WriteLine($"{probes} probes 25 ms apart after {warmUp} for warm-up; client and worker (concurrency {concurrency}) in this process");
        Console.WriteLine();
        Console.WriteLine("| span | p50 ms | p90 ms | p99 ms |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (span, values) in parts)
        {
            values.Sort();
            double P(double q) => values[(int)Math.Min(values.Count - 1, Math.Ceiling(q * values.Count) - 1)];
            Console.WriteLine($"| {span} | {P(0.5):N2} | {P(0.9):N2} | {P(0.99):N2} |");
        }
        Console.WriteLine();
        await PrintStatementsAsync(db, probes);
        return 0;
    }

    private static async Task<Dictionary<int, (DateTime Called, DateTime Returned)>> SendProbesAsync(EngineHost client, int first, int count)
    {
        var sent = new Dictionary<int, (DateTime, DateTime)>();
        var next = DateTime.UtcNow;
        for (var n = first; n < first + count; n++)
        {
            next += TimeSpan.FromMilliseconds(25);
            var called = DateTime.UtcNow;
            await client.WithClientAsync(c => c.EnqueueAsync(ScaleHost.Probe, new ScalePayload(n)));
            sent[n] = (called, DateTime.UtcNow);
            if (next > DateTime.UtcNow) await Task.Delay(next - DateTime.UtcNow);
        }
        while (!sent.Keys.All(ProbeJob.Started.ContainsKey)) await Task.Delay(20);
        return sent;
    }

    private static async Task<Dictionary<int, (DateTime Created, DateTime Started)>> ProbeTimesAsync(string db)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT (payload->>'n')::int, created_at, started_at FROM jobplatform.jobs WHERE type = '{ScaleHost.Probe}'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<int, (DateTime, DateTime)>();
        while (await reader.ReadAsync()) rows[reader.GetInt32(0)] = (reader.GetDateTime(1), reader.GetDateTime(2));
        return rows;
    }
}
