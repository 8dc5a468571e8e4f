namespace JobPlatform.Jobs.Storage;

/// <summary>A job to insert; null fields take the job type's defaults.</summary>
public sealed record NewJob(Guid Id, string Type, string PayloadJson)
{
    public string? Queue { get; init; }
    public int Priority { get; init; }
    public int? MaxAttempts { get; init; }
    public int? MaxRescues { get; init; }
    public DateTimeOffset? RunAt { get; init; }
    public TimeSpan? Delay { get; init; }
    public string? TraceParent { get; init; }
    public string? UniqueKey { get; init; }
    public string[] Tags { get; init; } = [];
    public TimeSpan? Timeout { get; init; }
    public TimeSpan[]? RetryIntervals { get; init; }

    public Guid? BatchId { get; init; }

    /// <summary>The parent of a continuation, and the parent state it runs on (succeeded, failed or always).</summary>
    public Guid? ParentId { get; init; }
    public string? ContinueOn { get; init; }
}
