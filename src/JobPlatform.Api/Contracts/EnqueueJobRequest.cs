using System.Text.Json;

namespace JobPlatform.Api.Contracts;

/// <summary>A job to enqueue. Everything but <c>type</c> is optional.</summary>
/// <param name="Type">A job type some worker offers, e.g. <c>simple-job</c>.</param>
/// <param name="Payload">A JSON object matching the type's payload schema; omitted means <c>{}</c>.</param>
/// <param name="Queue">Overrides the type's queue.</param>
/// <param name="Priority">Higher runs first within a queue (-1000 to 1000, default 0).</param>
/// <param name="MaxAttempts">Overrides the type's attempts (1 to 100).</param>
/// <param name="RunAt">Run no earlier than this instant (ISO 8601).</param>
/// <param name="DelaySeconds">Run this many seconds from now (0 to 31,536,000); ignored with <c>runAt</c>.</param>
/// <param name="TimeoutSeconds">Cancel and fail an attempt that runs longer (1 to 604,800).</param>
/// <param name="UniqueKey">While an unfinished job has this key, the answer is that job (200) and none is created.</param>
/// <param name="Tags">Up to 20 labels, each 1 to 200 characters, to find jobs by.</param>
/// <param name="RetryIntervalsSeconds">Waits before the 1st, 2nd … retry (the last repeats); default exponential backoff.</param>
/// <param name="ContinueAfter">Make this job a continuation of that job: it waits until that one ends.</param>
/// <param name="ContinueOn">With <c>continueAfter</c>: <c>success</c> (default), <c>failure</c> or <c>always</c>.</param>
/// <param name="MaxRescues">How often the job may lose its worker (killed, cut off) and run again without spending an attempt (0 to 100; the type's default, usually 3); one more loss fails it.</param>
public sealed record EnqueueJobRequest(
    string? Type,
    JsonElement? Payload = null,
    string? Queue = null,
    int? Priority = null,
    int? MaxAttempts = null,
    DateTimeOffset? RunAt = null,
    double? DelaySeconds = null,
    double? TimeoutSeconds = null,
    string? UniqueKey = null,
    string[]? Tags = null,
    double[]? RetryIntervalsSeconds = null,
    Guid? ContinueAfter = null,
    string? ContinueOn = null,
    int? MaxRescues = null);
