namespace JobPlatform.Jobs.Client;

/// <summary>Per-job choices; anything left null takes the job type's default.</summary>
public sealed record EnqueueOptions
{
    public string? Queue { get; init; }

    /// <summary>Higher runs first within a queue.</summary>
    public int Priority { get; init; }

    public int? MaxAttempts { get; init; }

    /// <summary>How often the job may lose its worker without spending an attempt (see <see cref="Handlers.JobTypeOptions.MaxRescues"/>).</summary>
    public int? MaxRescues { get; init; }

    /// <summary>Run no earlier than this; null means now (or after <see cref="Delay"/>).</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>
    /// Run this long after the enqueue, by the database's clock; ignored when <see cref="RunAt"/> is set. Inside the
    /// caller's transaction it counts from the enqueue's own statement, not from the transaction's start nor its
    /// commit: a job whose transaction commits later than its delay runs at the commit.
    /// </summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>While an unfinished job has this key, enqueueing it again returns that job and creates none.</summary>
    public string? UniqueKey { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>An attempt running longer is cancelled and fails with a timeout; at most <see cref="EnqueueLimits.MaxTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Makes this job a continuation: it waits (<c>awaiting</c>) until this job ends.</summary>
    public Guid? ContinueAfter { get; init; }

    /// <summary>With <see cref="ContinueAfter"/>: on which outcome of the parent this job runs.</summary>
    public ContinuationCondition ContinueOn { get; init; } = ContinuationCondition.OnSuccess;

    /// <summary>Waits before the 1st, 2nd … retry (the last repeats); null means exponential backoff with jitter.</summary>
    public IReadOnlyList<TimeSpan>? RetryIntervals { get; init; }
}
