using System.Text.Json;
using JobPlatform.Jobs.Handlers;

namespace JobPlatform.Jobs.Scheduling;

internal static class ScheduleValidation
{
    /// <summary>Checks a definition before it is stored; returns its parsed cron schedule.</summary>
    /// <exception cref="ArgumentException">Something is out of range; the message names it.</exception>
    public static CronSchedule Validate(ScheduleDefinition definition)
    {
        if (!JobTypeNames.IsValid(definition.Name))
            throw new ArgumentException($"A schedule name is 1-100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit; got '{definition.Name}'.", nameof(definition));
        if (!JobTypeNames.IsValid(definition.Type))
            throw new ArgumentException($"'{definition.Type}' is not a valid job type name.", nameof(definition));
        if (definition.Queue is not null && !JobTypeNames.IsValid(definition.Queue))
            throw new ArgumentException($"'{definition.Queue}' is not a valid queue name.", nameof(definition));
        if (definition.MaxAttempts is < 1 or > 100)
            throw new ArgumentException("MaxAttempts must be between 1 and 100.", nameof(definition));
        if (definition.Timeout is { } timeout && !Client.EnqueueLimits.IsValidTimeout(timeout))
            throw new ArgumentException(Client.EnqueueLimits.TimeoutRule, nameof(definition));
        try
        {
            using var payload = JsonDocument.Parse(definition.PayloadJson);
            if (payload.RootElement.ValueKind != JsonValueKind.Object)
                throw new ArgumentException("The payload must be a JSON object.", nameof(definition));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The payload is not valid JSON: {e.Message}", nameof(definition), e);
        }
        return CronSchedule.Parse(definition.Cron, definition.TimeZone);
    }
}
