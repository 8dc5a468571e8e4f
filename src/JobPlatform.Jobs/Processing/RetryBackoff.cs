namespace JobPlatform.Jobs.Processing;

/// <summary>Exponential backoff with jitter: about 2, 4, 8 … seconds, capped at one hour.</summary>
public static class RetryBackoff
{
    private static readonly TimeSpan Cap = TimeSpan.FromHours(1);

    public static TimeSpan After(int attempt)
    {
        var seconds = Math.Pow(2, Math.Clamp(attempt, 1, 20));
        // Jitter of up to ±25 % keeps many jobs that failed together from retrying together.
        var jittered = seconds * (0.75 + Random.Shared.NextDouble() * 0.5);
        return TimeSpan.FromSeconds(Math.Min(jittered, Cap.TotalSeconds));
    }
}
