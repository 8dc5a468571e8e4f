namespace JobPlatform.Jobs.Storage;

/// <summary>A queue whose jobs no server claims until it is resumed; its jobs wait, enqueued.</summary>
public sealed class PausedQueueRecord
{
    public required string Queue { get; set; }
    public DateTimeOffset PausedAt { get; set; }
}
