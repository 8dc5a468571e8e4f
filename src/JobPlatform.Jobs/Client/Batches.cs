namespace JobPlatform.Jobs.Client;

/// <summary>One job of a batch.</summary>
public sealed record BatchJob(string Type, string PayloadJson);

/// <summary>
/// The job enqueued once when every job of a batch has finished. Its payload is <see cref="PayloadJson"/>
/// with a <c>batch</c> property added: <c>{"id", "total", "succeeded", "failed", "cancelled"}</c>.
/// </summary>
public sealed record BatchCallback(string Type, string PayloadJson = "{}")
{
    public string? Queue { get; init; }
}

public sealed record BatchEnqueueResult(Guid BatchId, IReadOnlyList<Guid> JobIds);

/// <summary>A batch's progress: how many of its jobs are in each state, and its callback once it has finished.</summary>
public sealed record BatchInfo(
    Guid Id,
    int Total,
    int Waiting,
    int Processing,
    int Succeeded,
    int Failed,
    int Cancelled,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    Guid? CallbackJobId)
{
    public bool Finished => FinishedAt is not null;
}
