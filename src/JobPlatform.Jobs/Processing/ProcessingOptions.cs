using System.ComponentModel.DataAnnotations;

namespace JobPlatform.Jobs.Processing;

/// <summary>How a worker processes jobs. Bound from the <c>JobPlatform:Processing</c> section.</summary>
public sealed class ProcessingOptions
{
    public const string Section = "JobPlatform:Processing";

    /// <summary>Queues this server takes jobs from; none given means <c>default</c>.</summary>
    /// <remarks>Starts empty: the configuration binder appends to an array rather than replacing it.</remarks>
    public string[] Queues { get; set; } = [];

    /// <summary>Jobs run at once by this server, per queue (unless <see cref="QueueConcurrency"/> says otherwise).</summary>
    [Range(1, 10_000)]
    public int Concurrency { get; set; } = 10;

    /// <summary>Per-queue overrides of <see cref="Concurrency"/>, e.g. <c>{ "emails": 4 }</c>.</summary>
    public Dictionary<string, int> QueueConcurrency { get; set; } = [];

    public int ConcurrencyOf(string queue) => QueueConcurrency.TryGetValue(queue, out var limit) ? limit : Concurrency;

    /// <summary>How often an idle server looks for due jobs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a claim holds without a heartbeat; a killed server's jobs return after this.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>On shutdown, how long running jobs may finish before they are cancelled and given back.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Names this server in leases and logs; defaults to host name and process id.</summary>
    public string ServerName { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}";
}
