using System.Diagnostics;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>
/// The scenarios of the comparison, the same code for every engine. Each starts from a fresh database and a
/// fresh engine, and times out rather than waiting for ever on an engine that stalls.
/// </summary>
public sealed class PeerScenarios(BenchServer server, CompareOptions options)
{
    public async Task<Outcome> SingleEnqueueAsync(ContenderSpec spec) => await RunAsync(spec, "single", async (engine, ct) =>
    {
        var count = spec.Sizes.SingleEnqueue;
        await WarmUpAsync(engine, ct);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            await engine.EnqueueAsync(WorkKind.Noop, i);
        }
        return Outcome.Rate(count / clock.Elapsed.TotalSeconds);
    });

    public async Task<Outcome> ParallelEnqueueAsync(ContenderSpec spec) => await RunAsync(spec, "parallel", async (engine, ct) =>
    {
        var count = spec.Sizes.ParallelEnqueue;
        await WarmUpAsync(engine, ct);
        await ParallelEnqueue.RunAsync(engine, WorkKind.Noop, options.EnqueueThreads * 10, options.EnqueueThreads);
        var clock = Stopwatch.StartNew();
        await ParallelEnqueue.RunAsync(engine, WorkKind.Noop, count, options.EnqueueThreads).WaitAsync(ct);
        return Outcome.Rate(count / clock.Elapsed.TotalSeconds);
    });

    public Task<Outcome> DrainAsync(ContenderSpec spec) => DrainAsync(spec, WorkKind.Noop, spec.Sizes.Drain);

    public Task<Outcome> SleepDrainAsync(ContenderSpec spec) => DrainAsync(spec, WorkKind.Sleep, spec.Sizes.Sleep);

    /// <summary>Enqueue-to-start latency on an idle engine: p50, p95 and p99, in that order.</summary>
    public async Task<Outcome[]> IdleLatencyAsync(ContenderSpec spec)
    {
        var samples = new List<double>();
        var outcome = await RunAsync(spec, "latency", async (engine, ct) =>
        {
            await engine.StartProcessingAsync();
            await Task.Delay(1000, ct); // let the workers settle into waiting
            for (var i = 0; i < spec.Sizes.LatencySamples + 5; i++)
            {
                var before = Stopwatch.GetTimestamp();
                await engine.EnqueueAsync(WorkKind.Probe, i);
                var started = await Work.StartedAsync(i).WaitAsync(ct);
                if (i >= 5) samples.Add(Stopwatch.GetElapsedTime(before, started).TotalMilliseconds); // five warm up
                await Task.Delay(20, ct); // idle between jobs: this measures wake-up, not throughput
            }
            return Outcome.Millis(0);
        });
        if (outcome.Value is null) return [outcome, outcome, outcome];
        samples.Sort();
        Outcome P(double q) => Outcome.Millis(samples[(int)Math.Min(samples.Count - 1, Math.Ceiling(q * samples.Count) - 1)]);
        return [P(0.50), P(0.95), P(0.99)];
    }

    /// <summary>
    /// Two seconds of enqueues before the clock starts, for every engine alike: long enough for .NET to
    /// compile the hot paths fully (tiered compilation) and for the pools to fill.
    /// </summary>
    private static async Task WarmUpAsync(IContender engine, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; clock.Elapsed < TimeSpan.FromSeconds(2); i++) await engine.EnqueueAsync(WorkKind.Noop, i).WaitAsync(ct);
    }

    private async Task<Outcome> DrainAsync(ContenderSpec spec, WorkKind kind, int count) =>
        await RunAsync(spec, kind == WorkKind.Noop ? "drain" : "sleep", async (engine, ct) =>
        {
            await engine.FillAsync(kind, count);
            Work.Reset();
            var clock = Stopwatch.StartNew();
            await engine.StartProcessingAsync();
            // Done when every job body has run and the engine's store records every job as finished.
            while (Work.Finished < count || await engine.UnfinishedAsync() > 0) await Task.Delay(50, ct);
            return Outcome.Rate(count / clock.Elapsed.TotalSeconds);
        });

    private async Task<Outcome> RunAsync(ContenderSpec spec, string scenario, Func<IContender, CancellationToken, Task<Outcome>> measure)
    {
        var database = await server.CreateDatabaseAsync($"compare_{spec.Name.ToLowerInvariant()}_{scenario}", options.MaxPoolSize);
        Work.Reset();
        using var timeout = new CancellationTokenSource(options.Timeout);
        var engine = spec.Create();
        try
        {
            await engine.InitializeAsync(database, options.Concurrency);
            return await measure(engine, timeout.Token);
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
