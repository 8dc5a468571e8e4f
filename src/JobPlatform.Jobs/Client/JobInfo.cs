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
    string? Error);
