namespace JobPlatform.Benchmarks.Compare;

/// <summary>One engine's result in one scenario: a value, or why there is none.</summary>
public sealed record Outcome(double? Value, string Text)
{
    public static Outcome Rate(double jobsPerSecond) => new(jobsPerSecond, $"{jobsPerSecond:N0}/s");
    public static Outcome Millis(double ms) => new(ms, $"{ms:N1} ms");
    public static Outcome Failed(string why) => new(null, why);
}
