namespace JobPlatform.Jobs.Client;

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
