namespace JobPlatform.Benchmarks.Compare;

/// <summary>One engine's result in one scenario: a value, or why there is none.</summary>
public sealed record Outcome(double? Value, string Text)
{
    public static Outcome Rate(double jobsPerSecond) => new(jobsPerSecond, $"{jobsPerSecond:N0}/s");
    public static Outcome Millis(double ms) => new(ms, $"{ms:N1} ms");
    public static Outcome Failed(string why) => new(null, why);
}

public enum Better { Higher, Lower }

/// <summary>A row of the comparison: what is measured, which way is better, and each engine's outcome.</summary>
public sealed record Row(string Measure, Better Better, Dictionary<string, Outcome> Outcomes);
