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
}
