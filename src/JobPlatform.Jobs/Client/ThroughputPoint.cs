namespace JobPlatform.Jobs.Client;

/// <summary>How many jobs finished in one minute, by outcome.</summary>
public sealed record ThroughputPoint(DateTimeOffset Minute, long Succeeded, long Failed, long Cancelled);
