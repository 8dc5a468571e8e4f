namespace JobPlatform.Jobs;

/// <summary>The life cycle of a job. Stored lower-case, as the api shows it.</summary>
public enum JobState
{
    Scheduled,
    Enqueued,
    Processing,
    Succeeded,
    Failed,
    Cancelled,
    Awaiting,
}
