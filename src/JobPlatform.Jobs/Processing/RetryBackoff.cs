namespace JobPlatform.Jobs.Processing;

/// <summary>How long a failed attempt waits before the next one.</summary>
public static class RetryBackoff
{
    private static readonly TimeSpan Cap = TimeSpan.FromHours(1);

    /// <summary>
    /// The explicit interval for this retry when a list is given (its last entry repeats), else
    /// exponential backoff with jitter: about 2, 4, 8 … seconds, capped at one hour.
    /// </summary>
    public static TimeSpan After(int attempt, IReadOnlyList<TimeSpan>? intervals = null)
    {
        if (intervals is { Count: > 0 }) return intervals[Math.Clamp(attempt - 1, 0, intervals.Count - 1)];

        var seconds = Math.Pow(2, Math.Clamp(attempt, 1, 20));
        // Jitter of up to ±25 % keeps many jobs that failed together from retrying together.
        var jittered = seconds * (0.75 + Random.Shared.NextDouble() * 0.5);
        return TimeSpan.FromSeconds(Math.Min(jittered, Cap.TotalSeconds));
    }
}
