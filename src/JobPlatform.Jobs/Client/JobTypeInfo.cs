namespace JobPlatform.Jobs.Client;

/// <summary>A job type that some worker offers, with its payload's JSON schema.</summary>
public sealed record JobTypeInfo(string Name, string Queue, int MaxAttempts, string PayloadSchema, DateTimeOffset UpdatedAt);
