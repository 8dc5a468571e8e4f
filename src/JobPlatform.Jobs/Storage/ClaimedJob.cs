namespace JobPlatform.Jobs.Storage;

/// <summary>A job this server has claimed: what it needs to run it and to report the outcome.</summary>
public sealed record ClaimedJob(
    Guid Id,
    string Type,
    string Queue,
    string Payload,
    int Attempt,
    int MaxAttempts,
    long FencingToken,
    DateTimeOffset RunAt,
    DateTimeOffset StartedAt,
    string? TraceParent)
{
    public string[] Tags { get; init; } = [];
    public TimeSpan? Timeout { get; init; }
    public TimeSpan[]? RetryIntervals { get; init; }
    public Guid? BatchId { get; init; }
}
