using System.Text.Json;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Handlers;

namespace JobPlatform.Api.Contracts;

/// <summary>Checks a request's shape before it reaches the engine; errors are keyed by JSON field name.</summary>
public static class EnqueueJobRequestValidator
{
    public const int MinPriority = -1000, MaxPriority = 1000, MaxAttemptsLimit = 100;

    public static Dictionary<string, string[]> Validate(EnqueueJobRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Type))
            errors["type"] = ["The job type is required, e.g. \"simple-job\"."];
        else if (!JobTypeNames.IsValid(request.Type))
            errors["type"] = [$"'{request.Type}' is not a job type name: 1-100 characters of a-z, 0-9, '.', '_' or '-'."];

        if (request.Payload is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
            errors["payload"] = ["The payload must be a JSON object."];
        if (request.Queue is not null && !JobTypeNames.IsValid(request.Queue))
            errors["queue"] = [$"'{request.Queue}' is not a queue name: 1-100 characters of a-z, 0-9, '.', '_' or '-'."];
        if (request.Priority is < MinPriority or > MaxPriority)
            errors["priority"] = [$"The priority must be between {MinPriority} and {MaxPriority}."];
        if (request.MaxAttempts is < 1 or > MaxAttemptsLimit)
            errors["maxAttempts"] = [$"maxAttempts must be between 1 and {MaxAttemptsLimit}."];
        return errors;
    }

    public static EnqueueOptions ToOptions(EnqueueJobRequest request) => new()
    {
        Queue = request.Queue,
        Priority = request.Priority ?? 0,
        MaxAttempts = request.MaxAttempts,
        RunAt = request.RunAt,
    };

    public static string PayloadJson(EnqueueJobRequest request) =>
        request.Payload is { ValueKind: JsonValueKind.Object } payload ? payload.GetRawText() : "{}";
}
