namespace JobPlatform.Jobs.Storage;

/// <summary>One row of <c>jobplatform.jobs</c>: a job and the state of its current attempt.</summary>
public sealed class JobRecord
{
    public Guid Id { get; set; }
    public required string Type { get; set; }
    public required string Queue { get; set; }
    public required string State { get; set; }
    public int Priority { get; set; }

    /// <summary>The payload as JSON text (stored as <c>jsonb</c>).</summary>
    public required string Payload { get; set; }

    public int Attempt { get; set; }
    public int MaxAttempts { get; set; }

    /// <summary>How often the job's worker was lost (its lease ran out) without spending an attempt, and how often it may be.</summary>
    public int Rescues { get; set; }
    public int MaxRescues { get; set; }
    public DateTimeOffset RunAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? Error { get; set; }

    /// <summary>The server that holds the current claim, and until when.</summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }

    /// <summary>Rises with every claim; a completion that carries an older token is refused.</summary>
    public long FencingToken { get; set; }

    /// <summary>W3C traceparent of the activity that enqueued the job.</summary>
    public string? TraceParent { get; set; }

    /// <summary>While a job with this key is unfinished, enqueueing the key again returns that job.</summary>
    public string? UniqueKey { get; set; }

    public string[] Tags { get; set; } = [];

    /// <summary>An attempt running longer than this is cancelled and fails with a timeout.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Explicit waits before each retry; null means exponential backoff with jitter.</summary>
    public TimeSpan[]? RetryIntervals { get; set; }

    public short? ProgressPercent { get; set; }
    public string? ProgressMessage { get; set; }

    /// <summary>The batch this job belongs to, if any.</summary>
    public Guid? BatchId { get; set; }

    /// <summary>For a continuation: the job it waits for, and on which outcome it runs.</summary>
    public Guid? ParentId { get; set; }

    /// <summary>succeeded, failed or always.</summary>
    public string? ContinueOn { get; set; }

    /// <summary>Set when someone asked to cancel the job while it was running.</summary>
    public DateTimeOffset? CancelRequestedAt { get; set; }
}
