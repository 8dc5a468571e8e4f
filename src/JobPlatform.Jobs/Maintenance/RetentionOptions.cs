using System.ComponentModel.DataAnnotations;

namespace JobPlatform.Jobs.Maintenance;

/// <summary>How long finished jobs are kept. Bound from <c>JobPlatform:Retention</c>.</summary>
public sealed class RetentionOptions
{
    public const string Section = "JobPlatform:Retention";

    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan Succeeded { get; set; } = TimeSpan.FromDays(1);

    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan Failed { get; set; } = TimeSpan.FromDays(7);

    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan Cancelled { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Rows deleted per statement: small batches keep locks and WAL bursts short.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 1000;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);
}
