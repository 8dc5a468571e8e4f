using System.Globalization;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>Options of <c>compare</c>; <c>--quick</c> shrinks every size for a smoke run.</summary>
public sealed record CompareOptions
{
    /// <summary>Worker counts the sweep tries for every engine.</summary>
    public IReadOnlyList<int> Workers { get; init; } = [10, 25, 50, 100, 200];

    /// <summary>Measurements of every engine, each in its own process, in an order that rotates.</summary>
    public int Repeat { get; init; } = 5;

    public bool Sweep { get; init; } = true;
    public int EnqueueThreads { get; init; } = 16;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(240);

    /// <summary>How long the enqueue scenarios enqueue, after two seconds of warm-up.</summary>
    public TimeSpan EnqueueFor { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a drain is measured, once the workers have started and a twentieth of the backlog is done.</summary>
    public TimeSpan DrainWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Backlogs for a drain: big enough that the window ends before the backlog does.</summary>
    public int FillOurs { get; init; } = 300_000;
    public int FillPeers { get; init; } = 8_000;

    public int LatencySamples { get; init; } = 1000;
    public int SweepLatencySamples { get; init; } = 200;

    /// <summary>Probes are sent at this spacing whatever happens to the earlier ones (an open loop).</summary>
    public TimeSpan LatencySpacing { get; init; } = TimeSpan.FromMilliseconds(25);

    public IReadOnlySet<string> Engines { get; init; } = EngineSetup.Engines.ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Set by the parent for a process that measures: what to run, each as <c>scenario=setup id</c>.</summary>
    public IReadOnlyList<string> Assignments { get; init; } = [];

    /// <summary>Enough connections for the most workers of any setup, the enqueuing threads and each engine's own loops.</summary>
    public int MaxPoolSize => Workers.Max() + EnqueueThreads + 20;

    public static CompareOptions Parse(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int Int(string name, int fallback) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var quick = args.Contains("--quick");
        var options = new CompareOptions();
        return options with
        {
            Workers = Arg("--workers") is { } w ? [.. w.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture))] : quick ? [25] : options.Workers,
            Repeat = Int("--repeat", quick ? 1 : options.Repeat),
            Sweep = !args.Contains("--no-sweep"),
            EnqueueThreads = Int("--enqueue-threads", options.EnqueueThreads),
            Timeout = TimeSpan.FromSeconds(Int("--timeout", (int)options.Timeout.TotalSeconds)),
            EnqueueFor = TimeSpan.FromMilliseconds(Int("--enqueue-ms", quick ? 1000 : (int)options.EnqueueFor.TotalMilliseconds)),
            DrainWindow = TimeSpan.FromMilliseconds(Int("--window-ms", quick ? 2000 : (int)options.DrainWindow.TotalMilliseconds)),
            FillOurs = Int("--fill-ours", quick ? 30_000 : options.FillOurs),
            FillPeers = Int("--fill-peers", quick ? 1_000 : options.FillPeers),
            LatencySamples = Int("--latency-samples", quick ? 100 : options.LatencySamples),
            SweepLatencySamples = Int("--sweep-latency-samples", quick ? 40 : options.SweepLatencySamples),
            LatencySpacing = TimeSpan.FromMilliseconds(Int("--latency-spacing-ms", (int)options.LatencySpacing.TotalMilliseconds)),
            Engines = Arg("--engines") is { } e ? e.Split(',').ToHashSet(StringComparer.OrdinalIgnoreCase) : options.Engines,
            Assignments = Arg("--run") is { } run ? run.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [],
        };
    }

    /// <summary>The backlog a drain of <paramref name="engine"/> starts from.</summary>
    public int Fill(string engine) => engine == EngineSetup.JobPlatform ? FillOurs : FillPeers;
}
