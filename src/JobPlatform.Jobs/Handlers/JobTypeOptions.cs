using System.ComponentModel.DataAnnotations;

namespace JobPlatform.Jobs.Handlers;

/// <summary>Defaults for every job of one type; an enqueue may override them.</summary>
public sealed class JobTypeOptions
{
    public const string DefaultQueue = "default";

    [Required, RegularExpression(JobTypeNames.Pattern)]
    public string Queue { get; set; } = DefaultQueue;

    /// <summary>Attempts before a job is failed for good; 1 means no retry.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// How often a job may lose its worker (killed, or cut off until its lease ran out) and be run again without
    /// spending an attempt; one more loss fails it, naming the lost leases — a job that keeps killing its worker
    /// (a poison pill) must not take down one server after another for ever. 0: the first loss fails it.
    /// </summary>
    [Range(0, 100)]
    public int MaxRescues { get; set; } = 3;

    /// <summary>An attempt running longer is cancelled and fails with a timeout; null means no limit.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Waits before the 1st, 2nd … retry (the last repeats); null means exponential backoff with jitter.</summary>
    public TimeSpan[]? RetryIntervals { get; set; }

    /// <summary>At most this many jobs of the type run at once in the whole cluster, however many workers there are; null: no limit.</summary>
    [Range(1, 100_000)]
    public int? ConcurrencyLimit { get; set; }

    /// <summary>At most this many jobs of the type start per interval in the whole cluster; null: no limit.</summary>
    public RateLimit? RateLimit { get; set; }
}
