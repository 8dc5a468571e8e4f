namespace JobPlatform.Benchmarks.Compare;

/// <summary>A row of the comparison: what is measured, which way is better, and each engine's outcome per repetition.</summary>
public sealed record Row(string Measure, Better Better)
{
    public Dictionary<string, List<Outcome>> Repetitions { get; } = new();

    public void Add(string engine, Outcome outcome)
    {
        if (!Repetitions.TryGetValue(engine, out var list)) Repetitions[engine] = list = [];
        list.Add(outcome);
    }
}
