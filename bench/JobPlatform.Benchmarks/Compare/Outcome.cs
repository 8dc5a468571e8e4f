namespace JobPlatform.Benchmarks.Compare;

/// <summary>One engine's result in one scenario: a value, or why there is none; and what else was seen.</summary>
public sealed record Outcome(double? Value, string Text, string Note = "")
{
    public static Outcome Rate(double jobsPerSecond, string note = "") => new(jobsPerSecond, $"{jobsPerSecond:N0}/s", note);
    public static Outcome Millis(double ms, string note = "") => new(ms, $"{ms:N1} ms", note);
    public static Outcome Failed(string why) => new(null, why);
}
