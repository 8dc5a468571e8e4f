using System.Text.Json;

namespace JobPlatform.Api.Contracts;

/// <summary>A recurring schedule to create (POST, with <c>name</c>) or replace (PUT, name from the route).</summary>
/// <param name="Cron">Five fields (minute hour day month weekday) or six (seconds first).</param>
/// <param name="Type">A job type some worker offers.</param>
/// <param name="Payload">A JSON object, the payload of every job the schedule enqueues.</param>
/// <param name="TimeZone">An IANA time zone id (default UTC); occurrences follow its daylight-saving changes.</param>
/// <param name="Misfire">After downtime: <c>run-once</c> (default) or <c>skip</c>.</param>
/// <param name="Overlap">While the previous occurrence's job is unfinished: <c>allow</c> (default) or <c>skip</c>.</param>
public sealed record ScheduleRequest(
    string? Name,
    string? Cron,
    string? Type,
    JsonElement? Payload = null,
    string? TimeZone = null,
    string? Queue = null,
    int? Priority = null,
    int? MaxAttempts = null,
    double? TimeoutSeconds = null,
    string? Misfire = null,
    string? Overlap = null);
