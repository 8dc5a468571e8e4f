namespace JobPlatform.Jobs.Client;

/// <summary>A job as the client reports it.</summary>
public sealed record JobInfo(
    Guid Id,
    string Type,
    string Queue,
    JobState State,
    int Priority,
    string Payload,
    int Attempt,
    int MaxAttempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset RunAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error)
{
    public string? UniqueKey { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public TimeSpan? Timeout { get; init; }
    public int? ProgressPercent { get; init; }
    public string? ProgressMessage { get; init; }
    public DateTimeOffset? CancelRequestedAt { get; init; }

    /// <summary>How often the job lost its worker and was run again without spending an attempt, and how often it may.</summary>
    public int Rescues { get; init; }
    public int MaxRescues { get; init; }

    /// <summary>The batch the job belongs to, and the parent a continuation waits for.</summary>
    public Guid? BatchId { get; init; }
    public Guid? ParentId { get; init; }

    /// <summary>Finished attempts, oldest first (filled by <see cref="IJobClient.GetAsync"/>).</summary>
    public IReadOnlyList<JobAttemptInfo> Attempts { get; init; } = [];

    /// <summary>The W3C trace context of the enqueueing call, when it was traced: links the job to its trace.</summary>
    public string? TraceParent { get; init; }
}
