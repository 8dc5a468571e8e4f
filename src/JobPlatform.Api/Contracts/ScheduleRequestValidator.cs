using System.Text.Json;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Scheduling;

namespace JobPlatform.Api.Contracts;

/// <summary>Checks a schedule request field by field, then lets the engine parse its cron expression and time zone.</summary>
public static class ScheduleRequestValidator
{
    public static (ScheduleDefinition? Definition, Dictionary<string, string[]> Errors) Validate(ScheduleRequest request, string? routeName = null)
    {
        var errors = new Dictionary<string, string[]>();
        void Error(string field, string message) => errors[field] = [message];
        var name = routeName ?? request.Name;

        if (string.IsNullOrWhiteSpace(name)) Error("name", "The schedule's name is required.");
        else if (!JobTypeNames.IsValid(name)) Error("name", $"'{name}' is not a schedule name: 1-100 characters of a-z, 0-9, '.', '_' or '-'.");
        if (string.IsNullOrWhiteSpace(request.Type)) Error("type", "The job type is required.");
        else if (!JobTypeNames.IsValid(request.Type)) Error("type", $"'{request.Type}' is not a job type name.");
        if (request.Queue is not null && !JobTypeNames.IsValid(request.Queue)) Error("queue", $"'{request.Queue}' is not a queue name.");
        if (request.Payload is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) }) Error("payload", "The payload must be a JSON object.");
        if (request.Priority is < EnqueueJobRequestValidator.MinPriority or > EnqueueJobRequestValidator.MaxPriority)
            Error("priority", $"The priority must be between {EnqueueJobRequestValidator.MinPriority} and {EnqueueJobRequestValidator.MaxPriority}.");
        if (request.MaxAttempts is < 1 or > EnqueueJobRequestValidator.MaxAttemptsLimit)
            Error("maxAttempts", $"maxAttempts must be between 1 and {EnqueueJobRequestValidator.MaxAttemptsLimit}.");
        if (request.TimeoutSeconds is { } timeout && !(timeout >= 1 && timeout <= EnqueueJobRequestValidator.MaxTimeoutSeconds))
            Error("timeoutSeconds", $"timeoutSeconds must be between 1 and {EnqueueJobRequestValidator.MaxTimeoutSeconds:0}.");
        MisfirePolicy? misfire = request.Misfire switch { null or ScheduleNames.RunOnce => MisfirePolicy.RunOnce, ScheduleNames.Skip => MisfirePolicy.Skip, _ => null };
        if (misfire is null) Error("misfire", "misfire is run-once or skip.");
        OverlapPolicy? overlap = request.Overlap switch { null or ScheduleNames.Allow => OverlapPolicy.Allow, ScheduleNames.Skip => OverlapPolicy.Skip, _ => null };
        if (overlap is null) Error("overlap", "overlap is allow or skip.");
        if (string.IsNullOrWhiteSpace(request.Cron)) Error("cron", "A cron expression is required, e.g. \"*/5 * * * *\".");
        else
        {
            try
            {
                CronSchedule.Parse(request.Cron, request.TimeZone ?? "UTC");
            }
            catch (JobValidationException e)
            {
                Error(e.Field, e.Message);
            }
        }
        if (errors.Count > 0) return (null, errors);

        return (new ScheduleDefinition(name!, request.Cron!, request.Type!, EnqueueJobRequestValidator.Payload(request.Payload).GetRawText())
        {
            TimeZone = request.TimeZone ?? "UTC",
            Queue = request.Queue,
            Priority = request.Priority ?? 0,
            MaxAttempts = request.MaxAttempts,
            Timeout = request.TimeoutSeconds is { } t ? TimeSpan.FromSeconds(t) : null,
            Misfire = misfire!.Value,
            Overlap = overlap!.Value,
        }, errors);
    }
}
