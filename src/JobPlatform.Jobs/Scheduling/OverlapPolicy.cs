namespace JobPlatform.Jobs.Scheduling;

/// <summary>What to do when an occurrence is due while the previous one's job has not finished.</summary>
public enum OverlapPolicy
{
    /// <summary>Enqueue it anyway (the default).</summary>
    Allow,
    /// <summary>Skip it, and record why.</summary>
    Skip,
}
