namespace JobPlatform.Jobs.Scheduling;

/// <summary>A recurring schedule: the job to enqueue at every occurrence of <see cref="Cron"/> in <see cref="TimeZone"/>.</summary>
/// <param name="Name">Unique; letters, digits, '.', '_' and '-'.</param>
/// <param name="Cron">Five fields (minute hour day month weekday) or six (seconds first).</param>
/// <param name="Type">A registered job type.</param>
/// <param name="PayloadJson">A JSON object, the payload of every job the schedule enqueues.</param>
public sealed record ScheduleDefinition(string Name, string Cron, string Type, string PayloadJson = "{}")
{
    /// <summary>An IANA time zone id; occurrences follow its daylight-saving changes.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>Null: the job type's queue.</summary>
    public string? Queue { get; init; }

    public int Priority { get; init; }

    /// <summary>Null: the job type's.</summary>
    public int? MaxAttempts { get; init; }

    /// <summary>Null: the job type's.</summary>
    public TimeSpan? Timeout { get; init; }

    public MisfirePolicy Misfire { get; init; } = MisfirePolicy.RunOnce;
    public OverlapPolicy Overlap { get; init; } = OverlapPolicy.Allow;
}
