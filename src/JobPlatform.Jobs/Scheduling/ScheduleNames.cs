namespace JobPlatform.Jobs.Scheduling;

/// <summary>How schedules' sources and policies are spelled, in the database and over HTTP alike.</summary>
public static class ScheduleNames
{
    public const string Code = "code", Client = "client";
    public const string RunOnce = "run-once", Skip = "skip", Allow = "allow";

    public static string ToName(this MisfirePolicy policy) => policy == MisfirePolicy.Skip ? Skip : RunOnce;
    public static string ToName(this OverlapPolicy policy) => policy == OverlapPolicy.Skip ? Skip : Allow;
    public static MisfirePolicy ParseMisfire(string name) => name == Skip ? MisfirePolicy.Skip : MisfirePolicy.RunOnce;
    public static OverlapPolicy ParseOverlap(string name) => name == Skip ? OverlapPolicy.Skip : OverlapPolicy.Allow;

    /// <summary>The unique key of the job for one occurrence: a second attempt to fire it finds the first.</summary>
    public static string OccurrenceKey(string schedule, DateTimeOffset occurrence) =>
        $"schedule:{schedule}:{occurrence.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";
}
