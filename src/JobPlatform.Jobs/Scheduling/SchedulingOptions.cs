using System.ComponentModel.DataAnnotations;

namespace JobPlatform.Jobs.Scheduling;

/// <summary>How the scheduler leader is elected and fires schedules. Bound from <c>JobPlatform:Scheduling</c>.</summary>
public sealed class SchedulingOptions
{
    public const string Section = "JobPlatform:Scheduling";

    /// <summary>Whether this server may lead the scheduler; a worker that must never fire schedules says false.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long leadership holds without renewal: if the leader dies, another server takes over within this.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often servers try for leadership and the leader renews it; the leader also wakes for each due occurrence.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan Tick { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// An occurrence later than this when it is fired counts as missed (no server was there to fire it), and
    /// the schedule's misfire policy decides; a later tick within it simply fires the occurrence late.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);
}
