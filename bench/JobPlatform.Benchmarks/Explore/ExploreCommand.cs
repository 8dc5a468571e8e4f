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
        await using var cluster = await LocalPostgresCluster.StartAsync(
            PostgresBinaries.Find() ?? throw new InvalidOperationException("explore needs PostgreSQL installed (Debian: apt-get install postgresql)."),
            cancellationToken, durable: true, settings: ["max_connections=300"]);
        var failed = new Dictionary<int, IReadOnlyList<string>>();
        for (var seed = options.First; seed < options.First + options.Seeds; seed++)
        {
            var failures = await new ExploreSeed(cluster, seed, options, log).RunAsync(cancellationToken);
            if (failures.Count == 0) continue;
            failed[seed] = failures;
            log.WriteLine($"seed {seed} FAILED:");
            foreach (var failure in failures) log.WriteLine($"  {failure}");
            log.WriteLine($"  its schedule (worker {ExploreSchedule.Skew(seed, options.Workers).Worker}'s clock skewed):");
            foreach (var step in ExploreSchedule.For(seed, options.Length, options.Workers)) log.WriteLine($"    {step}");
            log.WriteLine($"  replay: dotnet run -c Release --project bench/JobPlatform.Benchmarks -- explore --seed {seed}");
        }
        log.WriteLine($"explore: {options.Seeds} seeds from {options.First}, {failed.Count} failed, {clock.Elapsed:hh\\:mm\\:ss}; " +
                      $"{cluster.DeadlocksLogged} deadlocks in PostgreSQL's log");
        return failed;
    }
}
