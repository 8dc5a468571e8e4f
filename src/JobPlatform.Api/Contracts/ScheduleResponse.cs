using System.Text.Json;
using JobPlatform.Jobs;
using JobPlatform.Jobs.Scheduling;

namespace JobPlatform.Api.Contracts;

/// <summary>A recurring schedule, its next five occurrences and how its last one went. <c>misfire</c> is
/// run-once or skip, <c>overlap</c> allow or skip, <c>source</c> code (declared by a worker) or client.</summary>
public sealed record ScheduleResponse(
    string Name,
    string Cron,
    string TimeZone,
    string Type,
    string? Queue,
    JsonElement Payload,
    int Priority,
    int? MaxAttempts,
    TimeSpan? Timeout,
    string Misfire,
    string Overlap,
    bool Paused,
    string Source,
    IReadOnlyList<DateTimeOffset> NextOccurrences,
    DateTimeOffset? LastOccurrenceAt,
    Guid? LastJobId,
    string? LastJobState,
    DateTimeOffset? LastSkippedAt,
    string? LastSkipReason)
{
    public static ScheduleResponse From(ScheduleInfo schedule)
    {
        var d = schedule.Definition;
        return new(d.Name, d.Cron, d.TimeZone, d.Type, d.Queue, JsonSerializer.Deserialize<JsonElement>(d.PayloadJson),
            d.Priority, d.MaxAttempts, d.Timeout,
            d.Misfire.ToName(), d.Overlap.ToName(),
            schedule.Paused, schedule.Source, schedule.NextOccurrences, schedule.LastOccurrenceAt, schedule.LastJobId,
            schedule.LastJobState?.ToName(), schedule.LastSkippedAt, schedule.LastSkipReason);
    }
}
