namespace JobPlatform.Benchmarks.Compare;

/// <summary>A row of the comparison: what is measured, which way is better, and each engine's outcome.</summary>
public sealed record Row(string Measure, Better Better, Dictionary<string, Outcome> Outcomes);
