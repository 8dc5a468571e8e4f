namespace JobPlatform.Api.Contracts;

/// <summary>Job counts by state over all queues, and per queue.</summary>
public sealed record StatsResponse(IReadOnlyDictionary<string, long> ByState, IReadOnlyList<QueueResponse> ByQueue);
