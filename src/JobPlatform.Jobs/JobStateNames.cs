namespace JobPlatform.Jobs;

/// <summary>Lower-case state names, as stored in the database and shown by the api.</summary>
public static class JobStateNames
{
    public const string Scheduled = "scheduled";
    public const string Enqueued = "enqueued";
    public const string Processing = "processing";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Awaiting = "awaiting";

    public static string ToName(this JobState state) => state switch
    {
        JobState.Scheduled => Scheduled,
        JobState.Enqueued => Enqueued,
        JobState.Processing => Processing,
        JobState.Succeeded => Succeeded,
        JobState.Failed => Failed,
        JobState.Cancelled => Cancelled,
        JobState.Awaiting => Awaiting,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static JobState Parse(string name) => name switch
    {
        Scheduled => JobState.Scheduled,
        Enqueued => JobState.Enqueued,
        Processing => JobState.Processing,
        Succeeded => JobState.Succeeded,
        Failed => JobState.Failed,
        Cancelled => JobState.Cancelled,
        Awaiting => JobState.Awaiting,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown job state."),
    };
}
