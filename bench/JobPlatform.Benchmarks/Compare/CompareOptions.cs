using System.Globalization;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>Options of <c>compare</c>; <c>--quick</c> shrinks every size for a smoke run.</summary>
public sealed record CompareOptions(
    int Concurrency, int EnqueueThreads, TimeSpan Timeout, bool Quick, IReadOnlySet<string> Engines, string? Engine)
{
    /// <summary>Enough connections for every worker of the engine plus the enqueuing threads.</summary>
    public int MaxPoolSize => Concurrency + EnqueueThreads + 20;

    public static CompareOptions Parse(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int Int(string name, int fallback) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new CompareOptions(
            Concurrency: Int("--concurrency", 50),
            EnqueueThreads: Int("--enqueue-threads", 16),
            Timeout: TimeSpan.FromSeconds(Int("--timeout", 180)),
            Quick: args.Contains("--quick"),
            Engines: (Arg("--engines") ?? "jobplatform,hangfire,quartz").Split(',').ToHashSet(StringComparer.OrdinalIgnoreCase),
            // Set by the parent when it starts the process that measures one engine.
            Engine: Arg("--engine"));
    }
}
