namespace JobPlatform.Jobs.Client;

/// <summary>
/// The bounds every enqueue must respect, in one place: the engine checks them for every caller, and the api
/// checks them first only to name the offending JSON field.
/// </summary>
public static class EnqueueLimits
{
    public const int MaxAttempts = 100, MaxRescues = 100, MaxTags = 20, MaxKeyLength = 200;

    /// <summary>The longest timeout an attempt may have: 49 days, within the range of .NET's timers (2^32 - 2 ms).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(49);

    /// <summary>Whether <paramref name="timeout"/> is positive and no longer than <see cref="MaxTimeout"/>.</summary>
    public static bool IsValidTimeout(TimeSpan timeout) => timeout > TimeSpan.Zero && timeout <= MaxTimeout;

    /// <summary>The error for a timeout <see cref="IsValidTimeout"/> refuses, wherever it was given.</summary>
    public static string TimeoutRule => $"A timeout must be positive and at most {MaxTimeout.TotalDays} days.";

    /// <summary>A unique key or a tag: 1 to <see cref="MaxKeyLength"/> characters, without U+0000 (PostgreSQL text cannot hold it).</summary>
    public static bool IsValidKey(string key) => key.Length is > 0 and <= MaxKeyLength && !key.Contains('\0');

    /// <summary>At most <see cref="MaxTags"/> tags, none blank, each a valid key.</summary>
    public static bool AreValidTags(IReadOnlyCollection<string> tags) =>
        tags.Count <= MaxTags && tags.All(t => !string.IsNullOrWhiteSpace(t) && IsValidKey(t));
}
