namespace JobPlatform.Jobs.Scheduling;

/// <summary>A schedule declared in a worker's code.</summary>
public sealed record DeclaredSchedule(ScheduleDefinition Definition);
