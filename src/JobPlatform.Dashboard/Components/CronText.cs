using System.Globalization;

namespace JobPlatform.Dashboard.Components;

/// <summary>
/// Common cron expressions in words ("every day at 03:00"); null for the shapes it does not know, which the
/// schedules page then shows only as the expression and its next runs. No cron-description package is served here.
/// </summary>
public static class CronText
{
    private static readonly string[] Days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    public static string? Describe(string cron)
    {
        var f = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length == 6) f = f[1..]; // a leading seconds field
        if (f.Length != 5) return null;
        var (minute, hour, day, month, weekday) = (f[0], f[1], f[2], f[3], f[4]);
        if (month != "*") return null;

        if (hour == "*" && day == "*" && weekday == "*")
        {
            if (minute == "*") return "every minute";
            if (Step(minute) is { } every) return $"every {every} minutes";
            if (Number(minute, 59) is { } m) return $"every hour at minute {m}";
            return null;
        }
        if (Number(minute, 59) is not { } at) return null;
        if (Step(hour) is { } hours && day == "*" && weekday == "*") return at == 0 ? $"every {hours} hours" : $"every {hours} hours at minute {at}";
        if (Number(hour, 23) is not { } h) return null;
        var time = $"{h:00}:{at:00}";
        if (day == "*" && weekday == "*") return $"every day at {time}";
        if (day == "*" && weekday == "1-5") return $"every weekday at {time}";
        if (day == "*" && Number(weekday, 7) is { } d) return $"every {Days[d % 7]} at {time}";
        if (weekday == "*" && Number(day, 31) is { } dom and > 0) return $"on day {dom} of every month at {time}";
        return null;
    }

    private static int? Number(string field, int max) =>
        int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= max ? n : null;

    private static int? Step(string field) =>
        field.StartsWith("*/", StringComparison.Ordinal) && int.TryParse(field[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
}
