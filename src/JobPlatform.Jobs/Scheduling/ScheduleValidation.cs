using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Handlers;

namespace JobPlatform.Jobs.Scheduling;

internal static class ScheduleValidation
{
    /// <summary>Checks a definition before it is stored; returns its parsed cron schedule.</summary>
    /// <exception cref="JobValidationException">Something is out of range; the exception names the field.</exception>
    public static CronSchedule Validate(ScheduleDefinition definition)
    {
        if (!JobTypeNames.IsValid(definition.Name))
            throw new JobValidationException("name", $"A schedule name is 1-100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit; got '{definition.Name}'.");
        if (!JobTypeNames.IsValid(definition.Type))
            throw new JobValidationException("type", $"'{definition.Type}' is not a valid job type name.");
        if (definition.Queue is not null && !JobTypeNames.IsValid(definition.Queue))
            throw new JobValidationException("queue", $"'{definition.Queue}' is not a valid queue name.");
        if (definition.MaxAttempts is < 1 or > 100)
            throw new JobValidationException("maxAttempts", "MaxAttempts must be between 1 and 100.");
        if (definition.Timeout is { } timeout && !Client.EnqueueLimits.IsValidTimeout(timeout))
            throw new JobValidationException("timeout", Client.EnqueueLimits.TimeoutRule);
        Client.PayloadRules.Check(definition.PayloadJson);
        return CronSchedule.Parse(definition.Cron, definition.TimeZone);
    }
}
