using JobPlatform.Jobs.Client;

namespace JobPlatform.Jobs.Scheduling;

/// <summary>A schedule as it stands: its definition, whether it is paused, what comes next and how the last occurrence went.</summary>
public sealed record ScheduleInfo(
    ScheduleDefinition Definition,
    bool Paused,
    string Source,
    IReadOnlyList<DateTimeOffset> NextOccurrences,
    DateTimeOffset? LastOccurrenceAt,
    Guid? LastJobId,
    JobState? LastJobState,
    DateTimeOffset? LastSkippedAt,
    string? LastSkipReason);
