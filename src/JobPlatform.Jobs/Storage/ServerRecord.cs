namespace JobPlatform.Jobs.Storage;

/// <summary>One row of <c>jobplatform.servers</c>: a processing server and its last heartbeat.</summary>
public sealed class ServerRecord
{
    public required string Id { get; set; }
    public required string Host { get; set; }
    public required string[] Queues { get; set; }
    public int Concurrency { get; set; }
    public int InFlight { get; set; }

    /// <summary>Where the server's host can be reached (for a web host, its base URL), if it said.</summary>
    public string? Endpoint { get; set; }

    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset HeartbeatAt { get; set; }
}
