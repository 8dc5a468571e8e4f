namespace JobPlatform.Benchmarks;

/// <summary>One line of the results table.</summary>
public sealed record Measure(string Name, string Result, string Target, bool? Met);
