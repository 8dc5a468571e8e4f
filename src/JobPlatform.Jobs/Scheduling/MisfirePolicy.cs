namespace JobPlatform.Jobs.Scheduling;

/// <summary>After downtime, what to do with the occurrences no server was there to fire.</summary>
public enum MisfirePolicy
{
    /// <summary>Run the job once for them all (the default).</summary>
    RunOnce,
    /// <summary>Skip them, and record that they were skipped.</summary>
    Skip,
}
