namespace JobPlatform.Benchmarks;

/// <summary>Sizes of the runs; <c>--quick</c> shrinks them for a smoke run.</summary>
public sealed record Options(int Single, int Bulk, int Drain, int History, int LatencySamples, int Concurrency)
{
    public static Options Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        int Arg(string name, int normal, int small)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : quick ? small : normal;
        }
        return new Options(
            Single: Arg("--single", 5_000, 500),
            Bulk: Arg("--bulk", 100_000, 10_000),
            Drain: Arg("--drain", 50_000, 5_000),
            History: Arg("--history", 1_000_000, 50_000),
            LatencySamples: Arg("--latency-samples", 200, 50),
            // No-op jobs end in microseconds, so concurrency is what bounds each claim's batch.
            Concurrency: Arg("--concurrency", 200, 200));
    }
}
