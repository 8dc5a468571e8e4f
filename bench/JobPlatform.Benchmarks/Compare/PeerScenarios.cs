using System.Diagnostics;
using Npgsql;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>
/// The scenarios of the comparison, the same code for every engine. Each starts from a fresh database, after a
/// CHECKPOINT (so no scenario pays for the last one's dirty pages), with a fresh engine in the given setup, and
/// times out rather than waiting for ever on an engine that stalls. Every drain checks its books: each job ran
/// exactly once, and the engine's own store holds none unfinished.
/// </summary>
public sealed class PeerScenarios(BenchServer server, CompareOptions options)
{
    /// <summary>Enqueues from <paramref name="threads"/> threads for <see cref="CompareOptions.EnqueueFor"/>, after two seconds of warm-up.</summary>
    public Task<Outcome> EnqueueAsync(EngineSetup setup, int threads) => RunAsync(setup, $"enqueue{threads}", async (engine, _, ct) =>
    {
        await WarmUpAsync(engine, ct);
        var clock = Stopwatch.StartNew();
        var count = await ParallelEnqueue.ForAsync(engine, WorkKind.Noop, options.EnqueueFor, threads, first: 1_000_000).WaitAsync(ct);
        return Outcome.Rate(count / clock.Elapsed.TotalSeconds);
    });

    /// <summary>
    /// Fills a backlog, starts the workers, and counts the jobs done in <see cref="CompareOptions.DrainWindow"/> once a
    /// twentieth of the backlog is done (start-up excluded alike for every engine); then lets the rest finish and
    /// audits every job. <paramref name="fill"/> defaults to the engine's backlog size.
    /// </summary>
    public Task<Outcome> DrainAsync(EngineSetup setup, WorkKind kind, int? fill = null) => RunAsync(setup, kind == WorkKind.Noop ? "drain" : "sleep", async (engine, db, ct) =>
    {
        var count = fill ?? options.Fill(setup.Engine);
        var filling = Stopwatch.StartNew();
        await engine.FillAsync(kind, count).WaitAsync(ct);
        var fillRate = count / filling.Elapsed.TotalSeconds;
        Work.Reset(count);
        await using var peak = await PeakConnections.StartAsync(db);
        await engine.StartProcessingAsync();
        while (Work.Finished < count / 20) await Task.Delay(5, ct);
        var (startCount, clock) = (Work.Finished, Stopwatch.StartNew());
        while (clock.Elapsed < options.DrainWindow && Work.Finished < count * 9 / 10) await Task.Delay(5, ct);
        var rate = (Work.Finished - startCount) / clock.Elapsed.TotalSeconds;

        while (Work.Finished < count || await engine.UnfinishedAsync() > 0) await Task.Delay(50, ct);
        await Task.Delay(500, ct); // a job run twice shows up late
        var (missing, twice) = Work.Audit(count);
        if (missing > 0 || twice > 0 || Work.Finished != count)
            return Outcome.Failed($"books wrong: {missing} jobs never ran, {twice} ran more than once, {Work.Finished} runs for {count} jobs");
        return Outcome.Rate(rate, $"fill {fillRate:N0}/s; peak {peak.Max} connections");
    });

    /// <summary>
    /// Enqueue-to-start latency on an engine with nothing else to do: probes sent every
    /// <see cref="CompareOptions.LatencySpacing"/> by a producer in another process (or in this one), each stamped with
    /// the wall clock just before its enqueue call and read against it when its body starts. Returns p50, p95, p99.
    /// </summary>
    public async Task<Outcome[]> LatencyAsync(EngineSetup setup, bool outOfProcess, int samples)
    {
        var latencies = new List<double>();
        var outcome = await RunAsync(setup, outOfProcess ? "latency" : "latencyin", async (engine, db, ct) =>
        {
            await engine.StartProcessingAsync();
            await Task.Delay(1000, ct); // let the workers settle into waiting
            using var producer = outOfProcess ? ProducerCommand.Start(setup, db) : null;
            if (producer is not null)
            {
                await ProducerCommand.ReadyAsync(producer, ct);
                // The producer's warm-up jobs run here first; the probes start on workers with nothing left to do.
                while (await engine.UnfinishedAsync() > 0) await Task.Delay(50, ct);
                await Task.Delay(500, ct);
            }
            const int warmUp = 5;
            var sent = new List<Task>();
            var next = Stopwatch.GetTimestamp();
            for (var i = 0; i < samples + warmUp; i++)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
                next += (long)(options.LatencySpacing.TotalSeconds * Stopwatch.Frequency);
                var probe = i;
                if (producer is not null) await ProducerCommand.SendAsync(producer, probe); // a line to its input: quick
                else sent.Add(Task.Run(() => engine.EnqueueAsync(WorkKind.Probe, probe, DateTime.UtcNow.Ticks), ct));
            }
            producer?.StandardInput.Close();
            await Task.WhenAll(sent).WaitAsync(ct);
            for (var i = warmUp; i < samples + warmUp; i++) latencies.Add(await Work.StartedAsync(i).WaitAsync(ct));
            return Outcome.Millis(0);
        });
        if (outcome.Value is null) return [outcome, outcome, outcome];
        latencies.Sort();
        Outcome P(double q) => Outcome.Millis(latencies[(int)Math.Min(latencies.Count - 1, Math.Ceiling(q * latencies.Count) - 1)], $"{latencies.Count} samples");
        return [P(0.50), P(0.95), P(0.99)];
    }

    /// <summary>
    /// Two seconds of enqueues before the clock starts, for every engine alike: long enough for .NET to
    /// compile the hot paths fully (tiered compilation) and for the pools to fill.
    /// </summary>
    private static async Task WarmUpAsync(IContender engine, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; clock.Elapsed < TimeSpan.FromSeconds(2); i++) await engine.EnqueueAsync(WorkKind.Noop, 2_000_000 + i).WaitAsync(ct);
    }

    private async Task<Outcome> RunAsync(EngineSetup setup, string scenario, Func<IContender, string, CancellationToken, Task<Outcome>> measure)
    {
        var database = await server.CreateDatabaseAsync($"compare_{setup.Engine.ToLowerInvariant()}_{scenario}", options.MaxPoolSize);
        await server.CheckpointAsync();
        Work.Reset();
        using var timeout = new CancellationTokenSource(options.Timeout);
        var engine = setup.Create();
        try
        {
            await engine.InitializeAsync(database);
            return await measure(engine, database, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            var unfinished = await engine.DescribeUnfinishedAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "");
            return Outcome.Failed($"timed out ({options.Timeout.TotalSeconds:N0} s, {Work.Finished:N0} done){(unfinished is "" ? "" : $"; unfinished: {unfinished}")}");
        }
        catch (Exception e)
        {
            return Outcome.Failed($"failed: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }
        finally
        {
            // An engine that will not stop is left behind rather than holding up the rest of the run.
            await engine.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { });
            await server.DropDatabaseAsync(database);
        }
    }
}

/// <summary>The most connections to one database seen at once, sampled every 100 ms while it runs.</summary>
public sealed class PeakConnections : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _sampling = Task.CompletedTask;
    private int _max;

    public int Max => Volatile.Read(ref _max);

    public static async Task<PeakConnections> StartAsync(string database)
    {
        var peak = new PeakConnections();
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        peak._sampling = Task.Run(async () =>
        {
            await using (connection)
            {
                await using var command = new NpgsqlCommand(
                    "SELECT count(*)::int - 1 FROM pg_stat_activity WHERE datname = current_database()", connection);
                while (!peak._stop.IsCancellationRequested)
                {
                    var now = (int)(await command.ExecuteScalarAsync())!;
                    if (now > peak._max) Volatile.Write(ref peak._max, now);
                    await Task.Delay(100).ContinueWith(_ => { });
                }
            }
        });
        return peak;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling.ContinueWith(_ => { });
        _stop.Dispose();
    }
}
