using System.Text.Json;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Handlers;

namespace JobPlatform.Api.Contracts;

/// <summary>Checks a request's shape before it reaches the engine; errors are keyed by JSON field name.</summary>
public static class EnqueueJobRequestValidator
{
    public const int MinPriority = -1000, MaxPriority = 1000, MaxRetryIntervals = 20;
    public const int MaxAttemptsLimit = EnqueueLimits.MaxAttempts, MaxTags = EnqueueLimits.MaxTags, MaxKeyLength = EnqueueLimits.MaxKeyLength;
    public const double MaxDelaySeconds = 365 * 24 * 3600, MaxTimeoutSeconds = 7 * 24 * 3600, MaxRetryIntervalSeconds = 24 * 3600;

    public static Dictionary<string, string[]> Validate(EnqueueJobRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        void Error(string field, string message) => errors[field] = [message];

        if (string.IsNullOrWhiteSpace(request.Type)) Error("type", "The job type is required, e.g. \"simple-job\".");
        else if (!JobTypeNames.IsValid(request.Type)) Error("type", $"'{request.Type}' is not a job type name: 1-100 characters of a-z, 0-9, '.', '_' or '-'.");

        if (request.Payload is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) }) Error("payload", "The payload must be a JSON object.");
        if (request.Queue is not null && !JobTypeNames.IsValid(request.Queue))
            Error("queue", $"'{request.Queue}' is not a queue name: 1-100 characters of a-z, 0-9, '.', '_' or '-'.");
        if (request.Priority is < MinPriority or > MaxPriority) Error("priority", $"The priority must be between {MinPriority} and {MaxPriority}.");
        if (request.MaxAttempts is < 1 or > MaxAttemptsLimit) Error("maxAttempts", $"maxAttempts must be between 1 and {MaxAttemptsLimit}.");
        if (request.MaxRescues is < 0 or > EnqueueLimits.MaxRescues) Error("maxRescues", $"maxRescues must be between 0 and {EnqueueLimits.MaxRescues}.");
        if (request.DelaySeconds is { } delay && !(delay >= 0 && delay <= MaxDelaySeconds))
            Error("delaySeconds", $"delaySeconds must be between 0 and {MaxDelaySeconds:0}.");
        if (request.TimeoutSeconds is { } timeout && !(timeout >= 1 && timeout <= MaxTimeoutSeconds))
            Error("timeoutSeconds", $"timeoutSeconds must be between 1 and {MaxTimeoutSeconds:0}.");
        // The engine's own bounds (EnqueueLimits), checked here to name the field.
        if (request.UniqueKey is { } key && !EnqueueLimits.IsValidKey(key))
            Error("uniqueKey", $"uniqueKey must be 1 to {MaxKeyLength} characters, without U+0000.");
        if (request.Tags is { } tags && !EnqueueLimits.AreValidTags(tags))
            Error("tags", $"At most {MaxTags} tags, each 1 to {MaxKeyLength} characters, without U+0000.");
        if (request.RetryIntervalsSeconds is { } intervals
            && (intervals.Length is 0 or > MaxRetryIntervals || intervals.Any(i => !(i >= 0 && i <= MaxRetryIntervalSeconds))))
            Error("retryIntervalsSeconds", $"1 to {MaxRetryIntervals} waits, each between 0 and {MaxRetryIntervalSeconds:0} seconds.");
        if (request.ContinueOn is not null && ParseCondition(request.ContinueOn) is null)
            Error("continueOn", "continueOn is success, failure or always.");
        if (request.ContinueOn is not null && request.ContinueAfter is null)
            Error("continueOn", "continueOn needs continueAfter, the job to continue.");
        return errors;
    }

    public static EnqueueOptions ToOptions(EnqueueJobRequest request) => new()
    {
        Queue = request.Queue,
        Priority = request.Priority ?? 0,
        MaxAttempts = request.MaxAttempts,
        MaxRescues = request.MaxRescues,
        RunAt = request.RunAt,
        Delay = request.DelaySeconds is { } delay ? TimeSpan.FromSeconds(delay) : null,
        Timeout = request.TimeoutSeconds is { } timeout ? TimeSpan.FromSeconds(timeout) : null,
        UniqueKey = request.UniqueKey,
        Tags = request.Tags,
        RetryIntervals = request.RetryIntervalsSeconds?.Select(TimeSpan.FromSeconds).ToArray(),
        ContinueAfter = request.ContinueAfter,
        ContinueOn = request.ContinueOn is null ? ContinuationCondition.OnSuccess : ParseCondition(request.ContinueOn)!.Value,
    };

    /// <summary>The request's payload, or an empty object when it has none.</summary>
    public static JsonElement Payload(EnqueueJobRequest request) => Payload(request.Payload);

    /// <summary>A payload as sent (checked to be an object or absent), or an empty object when absent.</summary>
    public static JsonElement Payload(JsonElement? payload) =>
        payload is { ValueKind: JsonValueKind.Object } sent ? sent : EmptyObject;

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private static ContinuationCondition? ParseCondition(string value) => value.ToLowerInvariant() switch
    {
        "success" => ContinuationCondition.OnSuccess,
        "failure" => ContinuationCondition.OnFailure,
        "always" => ContinuationCondition.Always,
        _ => null,
    };
}
