namespace JobPlatform.Benchmarks.Compare;

/// <summary>
/// The comparison as a Markdown table (pasted into docs/benchmarks.md as printed): per engine the median of the
/// repetitions and their range; per peer the ratio, taken within each repetition, as median and range; then the
/// targets.
/// </summary>
public static class ComparisonTable
{
    public const string Ours = "JobPlatform";

    public static void Write(TextWriter output, IReadOnlyList<Row> rows, IReadOnlyList<string> engines)
    {
        var peers = engines.Where(e => e != Ours).ToList();
        var header = engines.Concat(peers.Select(p => $"{Ours} vs {p}")).ToList();
        output.WriteLine($"| measure | {string.Join(" | ", header)} |");
        output.WriteLine($"|---|{string.Concat(header.Select(_ => "---:|"))}");
        foreach (var row in rows.Where(r => r.Repetitions.Count > 0))
        {
            Func<double, string> format = row.Better == Better.Higher ? v => $"{v:N0}/s" : v => $"{v:N1} ms";
            var cells = engines.Select(e => row.Repetitions.TryGetValue(e, out var o) ? Summary.Describe(o, format) : "not run")
                .Concat(peers.Select(p => Summary.Ratios(row, Ours, p) is { Count: > 0 } r
                    ? r.Count == 1 ? $"{r[0]:N1}×" : $"{Summary.Median(r):N1}× [{r.Min():N1}–{r.Max():N1}]"
                    : "-"));
            output.WriteLine($"| {row.Measure} | {string.Join(" | ", cells)} |");
        }
        output.WriteLine("(median [min–max] of the repetitions; a ratio is how many times better JobPlatform is, taken within each repetition)");

        if (!engines.Contains(Ours)) return;
        output.WriteLine();
        output.WriteLine("Targets:");
        double? Ours50(string measure) => rows.Single(r => r.Measure == measure).Repetitions.GetValueOrDefault(Ours) is { } o
            && o.Where(x => x.Value is not null).Select(x => x.Value!.Value).ToList() is { Count: > 0 } v ? Summary.Median(v) : null;
        Target(output, "drain no-op >= 20,000 jobs/s", Ours50("drain, no-op jobs"), v => v >= 20_000, v => $"{v:N0}/s");
        Target(output, "latency p50 <= 2 ms, producer in another process", Ours50("latency p50, producer in another process"), v => v <= 2, v => $"{v:N1} ms");
        Target(output, "latency p99 <= 5 ms, producer in another process", Ours50("latency p99, producer in another process"), v => v <= 5, v => $"{v:N1} ms");
        var drain = rows.Single(r => r.Measure == "drain, no-op jobs");
        foreach (var peer in peers)
            Target(output, $"drain no-op >= 50x {peer}", Summary.Ratios(drain, Ours, peer) is { Count: > 0 } r ? Summary.Median(r) : null, v => v >= 50, v => $"{v:N1}x");
    }

    private static void Target(TextWriter output, string name, double? value, Func<double, bool> met, Func<double, string> format) =>
        output.WriteLine($"  {name}: {(value is { } v ? format(v) : "no value (a run failed)")}: {(value is { } x ? met(x) ? "met" : "MISSED" : "unknown")}");
}
