namespace JobPlatform.Jobs.Storage;

/// <summary>
/// A set of jobs enqueued together, and the callback job enqueued once when the last of them has finished.
/// Counts are not kept here (every finishing job would update this one row); they are counted from the jobs.
/// </summary>
public sealed class BatchRecord
{
    public Guid Id { get; set; }
    public int Total { get; set; }
    public string? CallbackType { get; set; }

    /// <summary>The callback's own payload (stored as <c>jsonb</c>); it is enqueued with a <c>batch</c> property added.</summary>
    public string? CallbackPayload { get; set; }

    public string? CallbackQueue { get; set; }
    public Guid? CallbackJobId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}
