namespace JobPlatform.Jobs.Handlers;

/// <summary>What a handler knows about the attempt it is running, and how it reports progress.</summary>
public sealed class JobContext(
    Guid jobId, string type, string queue, int attempt, int maxAttempts, IReadOnlyList<string> tags,
    Func<int, string?, CancellationToken, Task>? progressSink = null)
{
    public Guid JobId { get; } = jobId;
    public string Type { get; } = type;
    public string Queue { get; } = queue;
    public int Attempt { get; } = attempt;
    public int MaxAttempts { get; } = maxAttempts;
    public IReadOnlyList<string> Tags { get; } = tags;

    /// <summary>
    /// Rises with every claim of any job. Pass it with writes to systems outside the job's own database work:
    /// a system that refuses a token lower than the last it saw for this job shuts out an attempt that kept
    /// running after its lease expired and the job was given to another server.
    /// </summary>
    public long FencingToken { get; init; }

    /// <summary>Stores progress (0–100 and an optional message), visible through the client while the job runs.</summary>
    public Task ReportProgressAsync(int percent, string? message = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        return progressSink?.Invoke(percent, message, cancellationToken) ?? Task.CompletedTask;
    }
}
