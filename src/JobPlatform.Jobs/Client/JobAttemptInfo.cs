namespace JobPlatform.Jobs.Client;

/// <summary>One finished attempt of a job.</summary>
public sealed record JobAttemptInfo(
    int Attempt, string? Server, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string Outcome,
    string? ErrorType, string? ErrorMessage, string? StackTrace);
