using System.Globalization;
using System.Runtime.InteropServices;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>
/// <c>compare</c>: JobPlatform, Hangfire and Quartz.NET in turn on the same PostgreSQL server, each scenario on a
/// fresh database, then one table with the ratios and the targets of the comparison.
/// </summary>
public static class CompareCommand
{
    private const string ResultPrefix = "RESULT\t";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = CompareOptions.Parse(args);
        return options.Engine is { } engine ? await MeasureOneAsync(engine, options) : await CompareAllAsync(args, options);
    }

    /// <summary>
    /// Runs each engine in a process of its own, so that none inherits another's threads, connection pools
    /// or garbage, and collects what they report into one table.
    /// </summary>
    private static async Task<int> CompareAllAsync(string[] args, CompareOptions options)
    {
        await using var server = await BenchServer.StartAsync();
        var engines = Contenders(options).Where(c => options.Engines.Contains(c.Name)).ToList();

        Console.WriteLine($"Machine:     {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        Console.WriteLine($"PostgreSQL:  {await server.SettingsAsync()}");
        Console.WriteLine($"Server:      {server.Description}");
        Console.WriteLine($"Concurrency: {options.Concurrency} workers per engine; parallel enqueue from {options.EnqueueThreads} threads; timeout {options.Timeout.TotalSeconds:N0} s per scenario; each engine in its own process");
        foreach (var engine in engines)
            Console.WriteLine($"{engine.Name + ":",-12} {engine.Settings}; sizes {engine.Sizes}");
        Console.WriteLine();

        var rows = Rows(options);
        foreach (var engine in engines)
        {
            using var child = SelfProcess.Start(["compare", .. args, "--engine", engine.Name],
                new Dictionary<string, string> { [BenchServer.ServerVariable] = server.AdminConnectionString });
            var errors = Task.Run(async () =>
            {
                while (await child.StandardError.ReadLineAsync() is { } line) Console.Error.WriteLine($"    {engine.Name}: {line}");
            });
            // Every scenario has its own timeout; this one catches a process that hangs between them.
            using var deadline = new CancellationTokenSource(options.Timeout * (rows.Count + 2));
            try
            {
                while (await child.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
                {
                    if (!line.StartsWith(ResultPrefix, StringComparison.Ordinal)) continue;
                    var fields = line[ResultPrefix.Length..].Split('\t', 3);
                    var row = rows[int.Parse(fields[0], CultureInfo.InvariantCulture)];
                    var outcome = new Outcome(fields[1].Length == 0 ? null : double.Parse(fields[1], CultureInfo.InvariantCulture), fields[2]);
                    row.Outcomes[engine.Name] = outcome;
                    Console.WriteLine($"  {engine.Name}, {row.Measure}: {outcome.Text}");
                }
                await child.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                child.Kill(entireProcessTree: true);
            }
            await errors.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
            foreach (var row in rows.Where(r => !r.Outcomes.ContainsKey(engine.Name)))
                row.Outcomes[engine.Name] = Outcome.Failed(child.HasExited ? $"not measured: process exited with code {child.ExitCode}" : "not measured: process hung");
        }

        Console.WriteLine();
        ComparisonTable.Write(Console.Out, rows, engines.Select(e => e.Name).ToList());
        return 0;
    }

    /// <summary>In the child process: every scenario for one engine, each reported on a line of its own.</summary>
    private static async Task<int> MeasureOneAsync(string name, CompareOptions options)
    {
        var engine = Contenders(options).Single(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
        await using var server = await BenchServer.StartAsync();
        var scenarios = new PeerScenarios(server, options);
        void Report(int row, Outcome outcome) => Console.WriteLine(
            $"{ResultPrefix}{row}\t{outcome.Value?.ToString("R", CultureInfo.InvariantCulture)}\t{outcome.Text.ReplaceLineEndings(" ")}");

        Report(0, await scenarios.SingleEnqueueAsync(engine));
        Report(1, await scenarios.ParallelEnqueueAsync(engine));
        Report(2, await scenarios.DrainAsync(engine));
        Report(3, await scenarios.SleepDrainAsync(engine));
        var latency = await scenarios.IdleLatencyAsync(engine);
        for (var i = 0; i < latency.Length; i++) Report(4 + i, latency[i]);
        return 0;
    }

    private static List<Row> Rows(CompareOptions options) =>
    [
        new("enqueue, one thread", Better.Higher, []),
        new($"enqueue, {options.EnqueueThreads} threads", Better.Higher, []),
        new("drain, no-op jobs", Better.Higher, []),
        new("drain, 10 ms jobs", Better.Higher, []),
        new("idle latency p50", Better.Lower, []),
        new("idle latency p95", Better.Lower, []),
        new("idle latency p99", Better.Lower, []),
    ];

    public static IEnumerable<ContenderSpec> Contenders(CompareOptions options)
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
