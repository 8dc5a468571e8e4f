using System.Runtime.InteropServices;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>
/// <c>compare</c>: JobPlatform, Hangfire and Quartz.NET in turn on the same PostgreSQL server, each scenario on a
/// fresh database, then one table with the ratios and the targets of the comparison.
/// </summary>
public static class CompareCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = CompareOptions.Parse(args);
        await using var server = await BenchServer.StartAsync();
        var scenarios = new PeerScenarios(server, options);
        var engines = Contenders(options).Where(c => options.Engines.Contains(c.Name)).ToList();

        Console.WriteLine($"Machine:     {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        Console.WriteLine($"PostgreSQL:  {await server.SettingsAsync()}");
        Console.WriteLine($"Server:      {server.Description}");
        Console.WriteLine($"Concurrency: {options.Concurrency} workers per engine; parallel enqueue from {options.EnqueueThreads} threads; timeout {options.Timeout.TotalSeconds:N0} s per scenario");
        foreach (var engine in engines)
            Console.WriteLine($"{engine.Name + ":",-12} {engine.Settings}; sizes {engine.Sizes}");
        Console.WriteLine();

        var rows = new List<Row>
        {
            new("enqueue, one thread", Better.Higher, []),
            new($"enqueue, {options.EnqueueThreads} threads", Better.Higher, []),
            new("drain, no-op jobs", Better.Higher, []),
            new("drain, 10 ms jobs", Better.Higher, []),
            new("idle latency p50", Better.Lower, []),
            new("idle latency p95", Better.Lower, []),
            new("idle latency p99", Better.Lower, []),
        };
        foreach (var engine in engines)
        {
            void Record(Row row, Outcome outcome)
            {
                row.Outcomes[engine.Name] = outcome;
                Console.WriteLine($"  {engine.Name}, {row.Measure}: {outcome.Text}");
            }
            Record(rows[0], await scenarios.SingleEnqueueAsync(engine));
            Record(rows[1], await scenarios.ParallelEnqueueAsync(engine));
            Record(rows[2], await scenarios.DrainAsync(engine));
            Record(rows[3], await scenarios.SleepDrainAsync(engine));
            var latency = await scenarios.IdleLatencyAsync(engine);
            for (var i = 0; i < 3; i++) Record(rows[4 + i], latency[i]);
        }

        Console.WriteLine();
        ComparisonTable.Write(Console.Out, rows, engines.Select(e => e.Name).ToList());
        return 0;
    }

    private static IEnumerable<ContenderSpec> Contenders(CompareOptions options)
    {
        int Size(int full) => options.Quick ? Math.Max(20, full / 10) : full;
        yield return new ContenderSpec(ComparisonTable.Ours, JobPlatformContender.Settings,
            new ScenarioSizes(Size(2_000), Size(20_000), Size(50_000), Size(20_000), Size(200)), () => new JobPlatformContender());
        // The peers drain about a hundred jobs a second: their runs are sized to take tens of seconds, not hours.
        var peers = new ScenarioSizes(Size(500), Size(2_000), Size(2_000), Size(2_000), Size(100));
        yield return new ContenderSpec("Hangfire", HangfireContender.Settings, peers, () => new HangfireContender());
        yield return new ContenderSpec("Quartz", QuartzContender.Settings, peers, () => new QuartzContender());
    }
}
