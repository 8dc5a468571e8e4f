namespace JobPlatform.Api.Contracts;

/// <summary>A queue: whether it is paused, and how many of its jobs are in each state.</summary>
public sealed record QueueResponse(string Name, bool Paused, IReadOnlyDictionary<string, long> Counts);
