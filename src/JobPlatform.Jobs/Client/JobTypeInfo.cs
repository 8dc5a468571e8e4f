namespace JobPlatform.Jobs.Client;

/// <summary>A job type that some worker offers, with its payload's JSON schema and its cluster-wide limits.</summary>
public sealed record JobTypeInfo(string Name, string Queue, int MaxAttempts, string PayloadSchema, DateTimeOffset UpdatedAt)
{
    /// <summary>At most this many of its jobs run at once in the cluster; null: no limit.</summary>
    public int? ConcurrencyLimit { get; init; }

    /// <summary>At most <see cref="RateLimit"/> starts per <see cref="RateInterval"/> in the cluster; null: no limit.</summary>
    public int? RateLimit { get; init; }
    public TimeSpan? RateInterval { get; init; }
}
