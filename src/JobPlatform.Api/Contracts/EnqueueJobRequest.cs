using System.Text.Json;

namespace JobPlatform.Api.Contracts;

/// <summary>A job to enqueue.</summary>
/// <param name="Type">A job type some worker offers, e.g. <c>simple-job</c>.</param>
/// <param name="Payload">A JSON object matching the type's payload schema; omitted means <c>{}</c>.</param>
/// <param name="Queue">Overrides the type's queue.</param>
/// <param name="Priority">Higher runs first within a queue (-1000 to 1000, default 0).</param>
/// <param name="MaxAttempts">Overrides the type's attempts (1 to 100).</param>
/// <param name="RunAt">Run no earlier than this instant.</param>
public sealed record EnqueueJobRequest(
    string? Type,
    JsonElement? Payload = null,
    string? Queue = null,
    int? Priority = null,
    int? MaxAttempts = null,
    DateTimeOffset? RunAt = null);
