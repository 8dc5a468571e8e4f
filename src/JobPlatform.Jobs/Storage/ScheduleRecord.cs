namespace JobPlatform.Jobs.Storage;

/// <summary>A recurring schedule: which job to enqueue at each occurrence of a cron expression.</summary>
public sealed class ScheduleRecord
{
    public required string Name { get; set; }
    public required string Cron { get; set; }
    public required string TimeZone { get; set; }
    public required string Type { get; set; }
    public string? Queue { get; set; }

    /// <summary>The payload of every job the schedule enqueues (stored as <c>jsonb</c>).</summary>
    public required string Payload { get; set; }

    public int Priority { get; set; }
    public int? MaxAttempts { get; set; }
    public TimeSpan? Timeout { get; set; }
    public required string Misfire { get; set; }
    public required string Overlap { get; set; }
    public bool Paused { get; set; }

    /// <summary>The next occurrence not yet turned into a job (or skipped).</summary>
    public DateTimeOffset NextRunAt { get; set; }

    public DateTimeOffset? LastOccurrenceAt { get; set; }
    public Guid? LastJobId { get; set; }
    public DateTimeOffset? LastSkippedAt { get; set; }
    public string? LastSkipReason { get; set; }

    /// <summary><c>code</c> when a worker declares it (and re-seeds it on start), <c>client</c> when made at run time.</summary>
    public required string Source { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
