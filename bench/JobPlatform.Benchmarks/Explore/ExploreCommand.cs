using System.Diagnostics;
using JobPlatform.AppHost.Local;
using JobPlatform.Testing;

namespace JobPlatform.Benchmarks.Explore;

/// <summary>
/// <c>explore --seeds N</c>: runs N seeds, each a random schedule of operations and faults against a real PostgreSQL
/// (one durable throwaway cluster) and several worker processes, and checks the engine's invariants after each. A
/// failing seed prints its schedule and how to replay it (<c>--seed S</c>).
/// </summary>
public static class ExploreCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = ExploreOptions.Parse(args);
        return (await RunAsync(options, Console.Out, CancellationToken.None)).Count == 0 ? 0 : 1;
    }

    /// <summary>Runs the seeds; returns the failing ones with what failed.</summary>
    public static async Task<Dictionary<int, IReadOnlyList<string>>> RunAsync(ExploreOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        log = TextWriter.Synchronized(log); // seeds running at once write to it
        await using var cluster = await LocalPostgresCluster.StartAsync(
            PostgresBinaries.Find() ?? throw new InvalidOperationException("explore needs PostgreSQL installed (Debian: apt-get install postgresql)."),
            cancellationToken, durable: true, settings: ["max_connections=300"]);
        var failed = new Dictionary<int, IReadOnlyList<string>>();
        var faults = new Dictionary<string, int>();
        var restarts = new SemaphoreSlim(1, 1); // one PostgreSQL restart at a time, whichever seed asks
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Parallel, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(options.First, options.Seeds), parallel, async (seed, ct) =>
        {
            var run = new ExploreSeed(cluster, seed, options, restarts, log);
            var failures = await run.RunAsync(ct);
            // A seed's report is written in one piece: seeds running at once must not interleave their lines.
            var report = new StringWriter();
            if (failures.Count > 0)
            {
                report.WriteLine($"seed {seed} FAILED:");
                foreach (var failure in failures) report.WriteLine($"  {failure}");
                report.WriteLine($"  its schedule (worker {ExploreSchedule.Skew(seed, options.Workers).Worker}'s clock skewed):");
                foreach (var step in ExploreSchedule.For(seed, options.Length, options.Workers)) report.WriteLine($"    {step}");
                report.WriteLine($"  replay: dotnet run -c Release --project bench/JobPlatform.Benchmarks -- explore --seed {seed}");
            }
            lock (failed)
            {
                if (failures.Count > 0) failed[seed] = failures;
                foreach (var fault in run.Faults) faults[fault] = faults.GetValueOrDefault(fault) + 1;
                log.Write(report.ToString());
            }
        });
        log.WriteLine($"explore: faults injected: {string.Join(", ", faults.OrderByDescending(f => f.Value).Select(f => $"{f.Value} {f.Key}"))}");
        log.WriteLine($"explore: {options.Seeds} seeds from {options.First}, {failed.Count} failed, {clock.Elapsed:hh\\:mm\\:ss}; " +
                      $"{cluster.DeadlocksLogged} deadlocks in PostgreSQL's log");
        return failed;
    }
}
