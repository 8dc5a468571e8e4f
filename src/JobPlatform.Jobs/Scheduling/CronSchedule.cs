using Cronos;
using JobPlatform.Jobs.Client;

namespace JobPlatform.Jobs.Scheduling;

/// <summary>
/// A cron expression in a time zone (Cronos). Five fields (minute precision) or six (seconds first).
/// Across daylight-saving changes Cronos fires a time that does not exist (spring forward) once, at the
/// moment the clocks jump, and a time that exists twice (fall back) once, the first time; expressions that
/// step through every hour or minute keep stepping through the repeated hour.
/// </summary>
public sealed class CronSchedule
{
    private readonly CronExpression _expression;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone) => (_expression, Zone) = (expression, zone);

    public TimeZoneInfo Zone { get; }

    /// <exception cref="ArgumentException">The expression or the time zone is not valid; the message says which and why.</exception>
    public static CronSchedule Parse(string cron, string timeZone)
    {
        if (string.IsNullOrWhiteSpace(cron)) throw new JobValidationException("cron", "A cron expression is required.");
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
            throw new JobValidationException("cron", $"'{cron}' has {fields} fields; a cron expression has 5 (minute hour day month weekday) or 6 (second first).");
        CronExpression expression;
        try
        {
            expression = CronExpression.Parse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            throw new JobValidationException("cron", $"'{cron}' is not a valid cron expression: {e.Message}", e);
        }
        return new CronSchedule(expression, FindZone(timeZone));
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null if there is none.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) =>
        _expression.GetNextOccurrence(after.UtcDateTime, Zone) is { } next ? new DateTimeOffset(next, TimeSpan.Zero) : null;

    /// <summary>Up to <paramref name="count"/> occurrences after <paramref name="after"/>.</summary>
    public IReadOnlyList<DateTimeOffset> Next(DateTimeOffset after, int count)
    {
        var result = new List<DateTimeOffset>(count);
        for (var at = after; result.Count < count && Next(at) is { } next; at = next) result.Add(next);
        return result;
    }

    private static TimeZoneInfo FindZone(string timeZone)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(string.IsNullOrWhiteSpace(timeZone) ? "UTC" : timeZone);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new JobValidationException("timeZone", $"'{timeZone}' is not a known time zone; use an IANA id such as 'Europe/Berlin' or 'UTC'.", e);
        }
    }
}
