using Microsoft.Extensions.Logging;

namespace JobPlatform.Jobs.Resilience;

/// <summary>
/// A run of consecutive failures of one loop (the database away, typically): how long to wait before the next
/// try, doubling from <c>first</c> up to <c>ceiling</c> with jitter so that many workers do not return in step,
/// and which failures deserve a log line. The first failure is logged with its exception, later ones at most
/// every <see cref="LogEvery"/> in one line, and the end of the streak once, so an outage of any length costs
/// a handful of lines per loop, not one per try.
/// </summary>
public sealed partial class FailureStreak(ILogger logger, string what, TimeSpan first, TimeSpan ceiling, TimeProvider? time = null)
{
    public static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private int _failures;
    private long _startedAt;
    private long _loggedAt;

    /// <summary>Counts a failure, logs it if it is due, and returns how long to wait before trying again.</summary>
    public TimeSpan Failed(Exception exception)
    {
        int failures;
        bool log;
        lock (_lock)
        {
            failures = ++_failures;
            var now = _time.GetTimestamp();
            if (failures == 1) _startedAt = now;
            log = failures == 1 || _time.GetElapsedTime(_loggedAt, now) >= LogEvery;
            if (log) _loggedAt = now;
        }
        var delay = Delay(failures);
        if (log && failures == 1) LogFirst(exception, what, delay.TotalSeconds);
        else if (log) LogStill(what, failures, Elapsed().TotalSeconds, exception.GetBaseException().Message, delay.TotalSeconds);
        return delay;
    }

    /// <summary>Ends a streak, if there was one, with a line saying how long it lasted.</summary>
    public void Succeeded()
    {
        int failures;
        lock (_lock)
        {
            if (_failures == 0) return;
            (failures, _failures) = (_failures, 0);
        }
        LogRecovered(what, failures, _time.GetElapsedTime(_startedAt).TotalSeconds);
    }

    private TimeSpan Elapsed()
    {
        lock (_lock) return _time.GetElapsedTime(_startedAt);
    }

    private TimeSpan Delay(int failures)
    {
        var doubled = first.Ticks * Math.Pow(2, Math.Min(failures - 1, 20));
        var capped = Math.Min(doubled, ceiling.Ticks);
        return TimeSpan.FromTicks((long)(capped * (0.8 + Random.Shared.NextDouble() * 0.4)));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{What} failed; trying again in {DelaySeconds:0.0} s (while it keeps failing, a line every 30 s)")]
    private partial void LogFirst(Exception exception, string what, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{What} still failing: {Failures} tries over {Seconds:0} s ({Error}); next in {DelaySeconds:0.0} s")]
    private partial void LogStill(string what, int failures, double seconds, string error, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{What} works again after {Failures} failed tries over {Seconds:0.0} s")]
    private partial void LogRecovered(string what, int failures, double seconds);
}
