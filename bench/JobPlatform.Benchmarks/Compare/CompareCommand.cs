using System.Globalization;
using System.Runtime.InteropServices;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>
/// <c>compare</c>: JobPlatform, Hangfire and Quartz.NET on the same PostgreSQL server. First a sweep finds each
/// engine's best setting (its knobs and worker counts; a setting that loses, doubles or strands a job is out); then
/// every engine, at its best, goes through every scenario <c>--repeat</c> times, in an order that rotates, each
/// scenario on a fresh database after a CHECKPOINT and each engine in a process of its own. One table follows, with
/// medians, ranges, and ratios taken within each repetition.
/// </summary>
public static class CompareCommand
{
    private const string ResultPrefix = "RESULT\t";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = CompareOptions.Parse(args);
        return options.Assignments.Count > 0 ? await MeasureAsync(options) : await CompareAllAsync(args, options);
    }

    private static async Task<int> CompareAllAsync(string[] args, CompareOptions options)
    {
        await using var server = await BenchServer.StartAsync();
        var engines = EngineSetup.Engines.Where(options.Engines.Contains).ToList();
        Console.WriteLine($"Machine:     {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        Console.WriteLine($"PostgreSQL:  {await server.SettingsAsync()}");
        Console.WriteLine($"Server:      {server.Description}");
        Console.WriteLine($"Arguments:   {string.Join(' ', args)}");
        Console.WriteLine($"Connections: every engine gets the same connection string: Max Pool Size {options.MaxPoolSize} (the most workers swept + enqueue threads + 20), No Reset On Close");
        Console.WriteLine($"Drains:      a backlog of {options.FillOurs:N0} (JobPlatform) or {options.FillPeers:N0} (peers), measured for {options.DrainWindow.TotalSeconds:N0} s once a twentieth is done; every job's runs counted");
        Console.WriteLine($"Latency:     {options.LatencySamples} probes {options.LatencySpacing.TotalMilliseconds:N0} ms apart, from a producer in another process and from the workers' own");
        Console.WriteLine();

        var best = options.Sweep ? await SweepAsync(server, engines, options) : Defaults(engines, options);
        Console.WriteLine("Settings measured:");
        foreach (var engine in engines)
            foreach (var (role, setup) in best[engine])
                Console.WriteLine($"  {engine}, {role}: {setup.Description}");
        Console.WriteLine();

        var rows = Scenario.Rows(options);
        for (var repetition = 0; repetition < options.Repeat; repetition++)
        {
            // The order rotates, so no engine always runs first (cold caches) or last (a warm, busy server).
            var order = engines.Skip(repetition % engines.Count).Concat(engines.Take(repetition % engines.Count)).ToList();
            Console.WriteLine($"Repetition {repetition + 1} of {options.Repeat} ({string.Join(", ", order)}):");
            foreach (var engine in order)
            {
                var roles = best[engine];
                List<string> assignments =
                [
                    $"{Scenario.EnqueueOne}={roles["enqueue"].Id}", $"{Scenario.EnqueueMany}={roles["enqueue"].Id}",
                    $"{Scenario.Drain}={roles["drain"].Id}", $"{Scenario.Sleep}={roles["drain"].Id}",
                    $"{Scenario.LatencyInProcess}={roles["latency"].Id}",
                ];
                if (roles["latency"].TakesOutOfProcessProducers) assignments.Add($"{Scenario.Latency}={roles["latency"].Id}");
                var results = await RunChildAsync(server, engine, assignments, options);
                foreach (var (scenario, row, outcome) in results) rows[row].Add(engine, outcome);
                // A scenario the process never reported (it crashed or hung) counts as a failed repetition.
                foreach (var row in assignments.SelectMany(a => Scenario.RowsOf(a[..a.IndexOf('=')])).Select(i => rows[i]))
                    if (row.Repetitions.GetValueOrDefault(engine, []).Count <= repetition)
                        row.Add(engine, Outcome.Failed("not measured: the process ended first"));
            }
        }

        Console.WriteLine();
        ComparisonTable.Write(Console.Out, rows, engines);
        return 0;
    }

    /// <summary>Every setting of every engine, drained and timed; returns each engine's best for enqueue, drain and latency.</summary>
    private static async Task<Dictionary<string, Dictionary<string, EngineSetup>>> SweepAsync(BenchServer server, IReadOnlyList<string> engines, CompareOptions options)
    {
        var best = new Dictionary<string, Dictionary<string, EngineSetup>>();
        Console.WriteLine("Sweep: each setting's drain (and the parallel fill before it), then latency over the settings that can change it:");
        Console.WriteLine("| engine | setting | drain | fill | peak connections |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (var engine in engines)
        {
            var drains = new List<(EngineSetup Setup, Outcome Outcome)>();
            foreach (var setup in EngineSetup.Sweep(engine, options.Workers))
            {
                var result = (await RunChildAsync(server, engine, [$"{Scenario.SweepDrain}={setup.Id}"], options)).FirstOrDefault();
                var outcome = result.Outcome ?? Outcome.Failed("not measured: the process ended first");
                drains.Add((setup, outcome));
                var notes = outcome.Note.Split("; ");
                Console.WriteLine($"| {engine} | {setup.Description} | {outcome.Text} | {(notes.Length > 1 ? notes[0].Replace("fill ", "") : "")} | {(notes.Length > 1 ? notes[1].Replace("peak ", "").Replace(" connections", "") : "")} |");
            }
            var valid = drains.Where(d => d.Outcome.Value is not null).ToList();
            if (valid.Count == 0) throw new InvalidOperationException($"no setting of {engine} drained its backlog correctly");
            var drainBest = valid.MaxBy(d => d.Outcome.Value)!.Setup;
            // The parallel fill is the peers' 16-thread enqueue; JobPlatform fills by COPY, so its enqueue uses the drain's setting.
            var enqueueBest = engine == EngineSetup.JobPlatform ? drainBest : valid.MaxBy(d => FillRate(d.Outcome))!.Setup;
            best[engine] = new() { ["enqueue"] = enqueueBest, ["drain"] = drainBest };
        }

        Console.WriteLine();
        Console.WriteLine("| engine | setting | latency p50 | p95 | p99 |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (var engine in engines)
        {
            // Worker counts do not change an idle engine's wake-up; its knobs do.
            var candidates = EngineSetup.Sweep(engine, [options.Workers.Min()]).ToList();
            var measured = new List<(EngineSetup Setup, Outcome P99)>();
            foreach (var setup in candidates)
            {
                var scenario = setup.TakesOutOfProcessProducers ? Scenario.SweepLatency : Scenario.LatencyInProcess;
                var results = await RunChildAsync(server, engine, [$"{scenario}={setup.Id}"], options with { LatencySamples = options.SweepLatencySamples });
                var p = results.Select(r => r.Outcome).ToList();
                var where = setup.TakesOutOfProcessProducers ? "" : " (producer in the same process: it cannot take another's)";
                Console.WriteLine($"| {engine} | {setup.Description}{where} | {(p.Count > 0 ? p[0].Text : "not measured")} | {(p.Count > 1 ? p[1].Text : "")} | {(p.Count > 2 ? p[2].Text : "")} |");
                if (p.Count == 3 && p[2].Value is not null && setup.TakesOutOfProcessProducers) measured.Add((setup, p[2]));
            }
            // Best by p99 among settings a producer elsewhere can reach; the drain's knobs when none could be measured.
            var latencyBest = measured.Count > 0 ? measured.MinBy(m => m.P99.Value).Setup : best[engine]["drain"];
            best[engine]["latency"] = latencyBest with { Workers = best[engine]["drain"].Workers };
        }
        Console.WriteLine();
        return best;
    }

    private static double FillRate(Outcome outcome) =>
        outcome.Note.Split("; ")[0] is var fill && fill.StartsWith("fill ", StringComparison.Ordinal)
            ? double.Parse(fill[5..^2], NumberStyles.Number, CultureInfo.CurrentCulture) : 0;

    /// <summary>Without a sweep: each engine's settings as the previous comparisons measured them.</summary>
    private static Dictionary<string, Dictionary<string, EngineSetup>> Defaults(IReadOnlyList<string> engines, CompareOptions options)
    {
        var workers = options.Workers.Contains(50) ? 50 : options.Workers[0];
        EngineSetup Default(string engine) => engine switch
        {
            EngineSetup.Hangfire => new(engine, new HangfireSetting(false, 15).Knobs, workers),
            EngineSetup.Quartz => new(engine, new QuartzSetting(true, false, true).Knobs, workers),
            _ => new(engine, "", workers),
        };
        return engines.ToDictionary(e => e, e => new Dictionary<string, EngineSetup>
        {
            ["enqueue"] = Default(e), ["drain"] = Default(e), ["latency"] = Default(e),
        });
    }

    /// <summary>Runs the assignments in a process of its own and collects what it reports.</summary>
    private static async Task<List<(string Scenario, int Row, Outcome Outcome)>> RunChildAsync(
        BenchServer server, string engine, IReadOnlyList<string> assignments, CompareOptions options)
    {
        List<string> arguments =
        [
            "compare", "--run", string.Join(' ', assignments), "--timeout", ((int)options.Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            "--enqueue-threads", options.EnqueueThreads.ToString(CultureInfo.InvariantCulture),
            "--enqueue-ms", ((int)options.EnqueueFor.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            "--window-ms", ((int)options.DrainWindow.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            "--fill-ours", options.FillOurs.ToString(CultureInfo.InvariantCulture),
            "--fill-peers", options.FillPeers.ToString(CultureInfo.InvariantCulture),
            "--latency-samples", options.LatencySamples.ToString(CultureInfo.InvariantCulture),
            "--latency-spacing-ms", ((int)options.LatencySpacing.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            "--workers", string.Join(',', options.Workers),
        ];
        using var child = SelfProcess.Start(arguments, new Dictionary<string, string> { [BenchServer.ServerVariable] = server.AdminConnectionString });
        var errors = Task.Run(async () =>
        {
            while (await child.StandardError.ReadLineAsync() is { } line) Console.Error.WriteLine($"    {engine}: {line}");
        });
        var results = new List<(string, int, Outcome)>();
        // Every scenario has its own timeout; this one catches a process that hangs between them.
        using var deadline = new CancellationTokenSource(options.Timeout * (assignments.Count + 2));
        try
        {
            while (await child.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                if (!line.StartsWith(ResultPrefix, StringComparison.Ordinal)) continue;
                var fields = line[ResultPrefix.Length..].Split('\t');
                var outcome = new Outcome(fields[2].Length == 0 ? null : double.Parse(fields[2], CultureInfo.InvariantCulture), fields[3], fields[4]);
                results.Add((fields[0], int.Parse(fields[1], CultureInfo.InvariantCulture), outcome));
                if (fields[0] is not (Scenario.SweepDrain or Scenario.SweepLatency))
                    Console.WriteLine($"  {engine}, {Scenario.Rows(options)[results[^1].Item2].Measure}: {outcome.Text}{(outcome.Note is "" ? "" : $" ({outcome.Note})")}");
            }
            await child.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
        }
        await errors.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
        return results;
    }

    /// <summary>In the measuring process: each assigned scenario with its setup, each reported on a line of its own.</summary>
    private static async Task<int> MeasureAsync(CompareOptions options)
    {
        await using var server = await BenchServer.StartAsync();
        var scenarios = new PeerScenarios(server, options);
        foreach (var assignment in options.Assignments)
        {
            var (scenario, setup) = (assignment[..assignment.IndexOf('=')], EngineSetup.Parse(assignment[(assignment.IndexOf('=') + 1)..]));
            Outcome[] outcomes = scenario switch
            {
                Scenario.EnqueueOne => [await scenarios.EnqueueAsync(setup, 1)],
                Scenario.EnqueueMany => [await scenarios.EnqueueAsync(setup, options.EnqueueThreads)],
                Scenario.Drain or Scenario.SweepDrain => [await scenarios.DrainAsync(setup, WorkKind.Noop)],
                Scenario.Sleep => [await scenarios.DrainAsync(setup, WorkKind.Sleep)],
                Scenario.Latency or Scenario.SweepLatency => await scenarios.LatencyAsync(setup, outOfProcess: true, options.LatencySamples),
                Scenario.LatencyInProcess => await scenarios.LatencyAsync(setup, outOfProcess: false, options.LatencySamples),
                _ => throw new ArgumentException($"no scenario '{scenario}'"),
            };
            var rows = Scenario.RowsOf(scenario);
            for (var i = 0; i < outcomes.Length; i++)
                Console.WriteLine($"{ResultPrefix}{scenario}\t{rows[i]}\t{outcomes[i].Value?.ToString("R", CultureInfo.InvariantCulture)}\t{Clean(outcomes[i].Text)}\t{Clean(outcomes[i].Note)}");
        }
        return 0;
    }

    private static string Clean(string text) => text.ReplaceLineEndings(" ").Replace('\t', ' ');
}
