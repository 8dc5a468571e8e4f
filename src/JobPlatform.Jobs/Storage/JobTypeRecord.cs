namespace JobPlatform.Jobs.Storage;

/// <summary>A job type some worker offers, so the api can validate requests without worker code.</summary>
public sealed class JobTypeRecord
{
    public required string Name { get; set; }
    public required string Queue { get; set; }
    public int MaxAttempts { get; set; }

    /// <summary>How often a job of the type may lose its worker before it fails (see <see cref="Handlers.JobTypeOptions.MaxRescues"/>).</summary>
    public int MaxRescues { get; set; } = 3;

    /// <summary>JSON schema of the payload (stored as <c>jsonb</c>).</summary>
    public required string PayloadSchema { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Cluster-wide limits: running at once, and starts per <see cref="RateInterval"/>.</summary>
    public int? ConcurrencyLimit { get; set; }
    public int? RateLimit { get; set; }
    public TimeSpan? RateInterval { get; set; }
}
