namespace JobPlatform.Jobs.Client;

/// <summary>Per-job choices; anything left null takes the job type's default.</summary>
public sealed record EnqueueOptions
{
    public string? Queue { get; init; }

    /// <summary>Higher runs first within a queue.</summary>
    public int Priority { get; init; }

    public int? MaxAttempts { get; init; }

    /// <summary>Run no earlier than this; null means now.</summary>
    public DateTimeOffset? RunAt { get; init; }
}
