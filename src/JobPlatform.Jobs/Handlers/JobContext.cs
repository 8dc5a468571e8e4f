namespace JobPlatform.Jobs.Handlers;

/// <summary>What a handler knows about the attempt it is running.</summary>
public sealed record JobContext(Guid JobId, string Type, string Queue, int Attempt, int MaxAttempts);
