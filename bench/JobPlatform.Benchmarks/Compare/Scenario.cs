namespace JobPlatform.Benchmarks.Compare;

/// <summary>What a measuring process runs, by name, and the rows each fills.</summary>
public static class Scenario
{
    public const string EnqueueOne = "enqueue1";
    public const string EnqueueMany = "enqueueN";
    public const string Drain = "drain";
    public const string Sleep = "sleep";
    public const string Latency = "latency";
    public const string LatencyInProcess = "latencyin";
    public const string SweepDrain = "sweepdrain";
    public const string SweepLatency = "sweeplatency";

    /// <summary>The rows of the comparison, in order.</summary>
    public static IReadOnlyList<Row> Rows(CompareOptions options) =>
    [
        new("enqueue, one thread", Better.Higher),
        new($"enqueue, {options.EnqueueThreads} threads", Better.Higher),
        new("drain, no-op jobs", Better.Higher),
        new("drain, 10 ms jobs", Better.Higher),
        new("latency p50, producer in another process", Better.Lower),
        new("latency p95, producer in another process", Better.Lower),
        new("latency p99, producer in another process", Better.Lower),
        new("latency p50, producer in the same process", Better.Lower),
        new("latency p95, producer in the same process", Better.Lower),
        new("latency p99, producer in the same process", Better.Lower),
    ];

    /// <summary>The rows a scenario fills, as indexes into <see cref="Rows"/>.</summary>
    public static int[] RowsOf(string scenario) => scenario switch
    {
        EnqueueOne => [0],
        EnqueueMany => [1],
        Drain or SweepDrain => [2],
        Sleep => [3],
        Latency or SweepLatency => [4, 5, 6],
        LatencyInProcess => [7, 8, 9],
        _ => throw new ArgumentException($"no scenario '{scenario}'"),
    };
}
