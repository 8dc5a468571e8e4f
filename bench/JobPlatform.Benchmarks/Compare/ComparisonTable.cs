namespace JobPlatform.Benchmarks.Compare;

/// <summary>The comparison as a Markdown table (pasted into docs/benchmarks.md as printed), then its targets.</summary>
public static class ComparisonTable
{
    public const string Ours = "JobPlatform";

    public static void Write(TextWriter output, IReadOnlyList<Row> rows, IReadOnlyList<string> engines)
    {
        var peers = engines.Where(e => e != Ours).ToList();
        var header = engines.Concat(peers.Select(p => $"{Ours} vs {p}")).ToList();
        output.WriteLine($"| measure | {string.Join(" | ", header)} |");
        output.WriteLine($"|---|{string.Concat(header.Select(_ => "---:|"))}");
        foreach (var row in rows)
        {
            var cells = engines.Select(e => row.Outcomes.TryGetValue(e, out var o) ? o.Text : "not run")
                .Concat(peers.Select(p => Ratio(row, p) is { } r ? $"{r:N1}×" : "-"));
            output.WriteLine($"| {row.Measure} | {string.Join(" | ", cells)} |");
        }
        output.WriteLine("(ratios: how many times faster JobPlatform is; for latency, the peer's time over JobPlatform's)");

        if (!engines.Contains(Ours)) return;
        output.WriteLine();
        output.WriteLine("Targets:");
        var ourP99 = rows.Single(r => r.Measure == "idle latency p99").Outcomes.GetValueOrDefault(Ours)?.Value;
        foreach (var peer in peers)
        {
            Target(output, $"drain no-op >= 50x {peer}", Ratio(rows.Single(r => r.Measure == "drain, no-op jobs"), peer), 50);
            Target(output, $"one-thread enqueue >= 10x {peer}", Ratio(rows.Single(r => r.Measure == "enqueue, one thread"), peer), 10);
            var peerP50 = rows.Single(r => r.Measure == "idle latency p50").Outcomes.GetValueOrDefault(peer)?.Value;
            var met = ourP99 is { } ours && peerP50 is { } theirs ? ours < theirs : (bool?)null;
            output.WriteLine($"  {Ours} idle p99 < {peer} p50: {ourP99:N1} ms vs {peerP50:N1} ms: {Verdict(met)}");
        }
    }

    /// <summary>How many times better JobPlatform is than <paramref name="peer"/> in this row, when both have a value.</summary>
    private static double? Ratio(Row row, string peer)
    {
        if (row.Outcomes.GetValueOrDefault(Ours)?.Value is not { } ours || row.Outcomes.GetValueOrDefault(peer)?.Value is not { } theirs)
            return null;
        if (ours <= 0 || theirs <= 0) return null;
        return row.Better == Better.Higher ? ours / theirs : theirs / ours;
    }

    private static void Target(TextWriter output, string name, double? ratio, double goal) =>
        output.WriteLine($"  {name}: {(ratio is { } r ? $"{r:N1}x" : "no ratio (a run failed)")}: {Verdict(ratio >= goal)}");

    private static string Verdict(bool? met) => met switch { true => "met", false => "MISSED", null => "unknown" };
}
