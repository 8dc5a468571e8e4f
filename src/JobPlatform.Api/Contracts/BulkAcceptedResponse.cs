namespace JobPlatform.Api.Contracts;

/// <summary>The answer to a bulk enqueue: how many jobs were enqueued, and their ids in the order of the payloads.</summary>
public sealed record BulkAcceptedResponse(string Type, int Count, IReadOnlyList<Guid> Ids);
