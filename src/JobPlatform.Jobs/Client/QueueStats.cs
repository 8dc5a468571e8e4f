namespace JobPlatform.Jobs.Client;

/// <summary>A queue: whether it is paused, and how many of its jobs are in each state (lower-case state names).</summary>
public sealed record QueueStats(string Queue, bool Paused, IReadOnlyDictionary<string, long> Counts);
