namespace JobPlatform.Jobs.Client;

/// <summary>A processing server as its last heartbeat described it.</summary>
public sealed record ServerInfo(
    string Id, string Host, IReadOnlyList<string> Queues, int Concurrency, int InFlight, string? Endpoint,
    DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt);
