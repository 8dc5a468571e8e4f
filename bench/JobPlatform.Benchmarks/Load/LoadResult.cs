namespace JobPlatform.Benchmarks.Load;

/// <summary>What a load run saw: HTTP answers, and what became of the jobs it enqueued.</summary>
public sealed class LoadResult
{
    public int Accepted => Ids.Count;
    public List<Guid> Ids { get; } = [];
    public SortedDictionary<string, int> Errors { get; } = new(StringComparer.Ordinal);
    public List<double> LatenciesMs { get; } = [];
    public TimeSpan Elapsed { get; set; }

    public Dictionary<string, int> FinalStates { get; } = new(StringComparer.Ordinal);
    public List<double> QueueWaitsMs { get; } = [];

    public int Finished => FinalStates.Where(s => s.Key is "succeeded" or "failed" or "cancelled").Sum(s => s.Value);

    public static double Percentile(List<double> values, double q)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(q * sorted.Count) - 1)];
    }
}
