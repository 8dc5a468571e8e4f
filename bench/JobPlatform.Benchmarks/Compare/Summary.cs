namespace JobPlatform.Benchmarks.Compare;

/// <summary>Medians and ranges of repeated measurements, and ratios taken within one repetition only.</summary>
public static class Summary
{
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>"median [min–max]" of the values a row's engine measured, with the repetitions that gave none.</summary>
    public static string Describe(IReadOnlyList<Outcome> outcomes, Func<double, string> format)
    {
        var values = outcomes.Where(o => o.Value is not null).Select(o => o.Value!.Value).ToList();
        var failed = outcomes.Count - values.Count;
        if (values.Count == 0) return outcomes.FirstOrDefault()?.Text ?? "not run";
        var text = values.Count == 1 ? format(values[0]) : $"{format(Median(values))} [{format(values.Min())}–{format(values.Max())}]";
        return failed == 0 ? text : $"{text} ({failed} of {outcomes.Count} failed: {outcomes.First(o => o.Value is null).Text})";
    }

    /// <summary>
    /// How many times better ours is than the peer's in each repetition where both have a value (the two measured in
    /// the same run, minutes apart): the peer's over ours when lower is better.
    /// </summary>
    public static List<double> Ratios(Row row, string ours, string peer)
    {
        if (!row.Repetitions.TryGetValue(ours, out var a) || !row.Repetitions.TryGetValue(peer, out var b)) return [];
        return [.. a.Zip(b).Where(p => p.First.Value > 0 && p.Second.Value > 0)
            .Select(p => row.Better == Better.Higher ? p.First.Value!.Value / p.Second.Value!.Value : p.Second.Value!.Value / p.First.Value!.Value)];
    }
}
