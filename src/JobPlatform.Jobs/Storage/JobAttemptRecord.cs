namespace JobPlatform.Jobs.Storage;

/// <summary>One finished attempt of a job, kept for its history.</summary>
public sealed class JobAttemptRecord
{
    public Guid JobId { get; set; }
    public int Attempt { get; set; }

    /// <summary>The claim's fencing token: one history row per claim (a rescued attempt and the next share a number).</summary>
    public long FencingToken { get; set; }
    public string? Server { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset FinishedAt { get; set; }

    /// <summary>succeeded, failed, retried, cancelled, timed-out, released or rescued.</summary>
    public required string Outcome { get; set; }

    public string? ErrorType { get; set; }
    public string? ErrorMessage { get; set; }
    public string? StackTrace { get; set; }
}
