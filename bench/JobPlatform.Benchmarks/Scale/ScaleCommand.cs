using System.Diagnostics;
using System.Globalization;
using JobPlatform.Jobs.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace JobPlatform.Benchmarks.Scale;

/// <summary>
/// <c>scale work|priorities|backlog|churn</c>: the engine alone under work shaped like a real application's, one
/// worker process (this one) against a temporary PostgreSQL. Each prints what it measured and how.
/// </summary>
public static partial class ScaleCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int Int(string name, int fallback) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        await using var server = await BenchServer.StartAsync();
        Console.WriteLine($"PostgreSQL: {await server.SettingsAsync()}");
        Console.WriteLine($"Arguments:  {string.Join(' ', args)}");
        Console.WriteLine();
        var window = TimeSpan.FromSeconds(Int("--window", 10));
        switch (args.FirstOrDefault())
        {
            case "work": await WorkAsync(server, window, TimeSpan.FromSeconds(Int("--load-seconds", 20))); break;
            case "priorities": await PrioritiesAsync(server, Int("--per-priority", 1000), TimeSpan.FromSeconds(Int("--load-seconds", 20))); break;
            case "backlog": await BacklogAsync(server, window, Int("--backlog", 1_000_000), Int("--drain", 200_000), Int("--repeat", 3)); break;
            case "churn": await ChurnAsync(server, Int("--jobs", 10_000_000), TimeSpan.FromMinutes(Int("--hold-minutes", 10))); break;
            default:
                Console.Error.WriteLine("scale work | priorities | backlog | churn (see bench/JobPlatform.Benchmarks/Scale)");
                return 2;
        }
        return 0;
    }

    /// <summary>A worker on a fresh database, started, with a client beside it.</summary>
    private sealed class Run : IAsyncDisposable
    {
        public required BenchServer Server { get; init; }
        public required string Database { get; init; }
        public required IHost Worker { get; init; }
        public required EngineHost Client { get; init; }

        public static async Task<Run> StartAsync(BenchServer server, string name, Action<Jobs.Processing.ProcessingOptions> processing,
            Action<Jobs.Maintenance.RetentionOptions>? retention = null)
        {
            var db = await server.CreateDatabaseAsync(name, maxPoolSize: 300);
            await ScaleHost.RegisterAsync(db);
            await server.CheckpointAsync();
            ScaleCounter.Reset();
            var worker = ScaleHost.Build(db, processing, retention);
            await worker.StartAsync();
            return new Run { Server = server, Database = db, Worker = worker, Client = await EngineHost.StartClientAsync(db) };
        }

        /// <summary>Enqueues jobs numbered from <paramref name="first"/> by COPY, 100,000 per call.</summary>
        public async Task FillAsync(string type, int count, int first = 0, EnqueueOptions? options = null)
        {
            for (var from = first; from < first + count; from += 100_000)
            {
                var to = Math.Min(first + count, from + 100_000);
                await Client.WithClientAsync(c => c.EnqueueManyAsync(type, Enumerable.Range(from, to - from).Select(i => new ScalePayload(i)), options));
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Worker.StopAsync();
            Worker.Dispose();
            await Server.DropDatabaseAsync(Database);
        }
    }

    /// <summary>Jobs done per second over <paramref name="window"/>, once <paramref name="warm"/> are done.</summary>
    private static async Task<double> RateAsync(long warm, TimeSpan window, long stopAt = long.MaxValue)
    {
        while (ScaleCounter.Done < warm) await Task.Delay(5);
        var (start, clock) = (ScaleCounter.Done, Stopwatch.StartNew());
        while (clock.Elapsed < window && ScaleCounter.Done < stopAt) await Task.Delay(5);
        return (ScaleCounter.Done - start) / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Single enqueues at <paramref name="perSecond"/> for <paramref name="duration"/>, each its own call and commit as
    /// a web request makes it, paced whatever the engine does (an open loop); <paramref name="shape"/> picks each
    /// job's type and options. Returns how many it sent.
    /// </summary>
    private static async Task<int> LoadAsync(EngineHost client, double perSecond, TimeSpan duration, Func<int, (string Type, EnqueueOptions? Options)> shape)
    {
        var sent = new List<Task>();
        using var gate = new SemaphoreSlim(64);
        var clock = Stopwatch.StartNew();
        var i = 0;
        for (; clock.Elapsed < duration; i++)
        {
            var due = TimeSpan.FromSeconds(i / perSecond) - clock.Elapsed;
            if (due > TimeSpan.Zero) await Task.Delay(due);
            await gate.WaitAsync();
            var (type, options) = shape(i);
            var n = i;
            sent.Add(Task.Run(async () =>
            {
                try { await client.WithClientAsync(c => c.EnqueueAsync(type, new ScalePayload(n), options)); }
                finally { gate.Release(); }
            }));
        }
        await Task.WhenAll(sent);
        return i;
    }

    /// <summary>p50 and p99 of the wait from enqueue to start of the jobs of one type (and priority) enqueued since <paramref name="since"/>.</summary>
    private static async Task<(double P50, double P99, long Count)> QueueWaitAsync(string db, DateTime since, string? type = null, int? priority = null)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY w), percentile_cont(0.99) WITHIN GROUP (ORDER BY w), count(*)
            FROM (SELECT extract(epoch FROM started_at - created_at) * 1000 AS w FROM jobplatform.jobs
                  WHERE created_at >= $1 AND started_at IS NOT NULL AND ($2::text IS NULL OR type = $2) AND ($3::int IS NULL OR priority = $3)) x
            """, connection) { CommandTimeout = 600 };
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = since });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)type ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)priority ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return reader.IsDBNull(0) ? (0, 0, 0) : (reader.GetDouble(0), reader.GetDouble(1), reader.GetInt64(2));
    }

    private static async Task WaitForAsync(long done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (ScaleCounter.Done < done && clock.Elapsed < timeout) await Task.Delay(20);
    }
}
