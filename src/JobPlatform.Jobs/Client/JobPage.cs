namespace JobPlatform.Jobs.Client;

/// <summary>One page of a job listing (without attempt histories); <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record JobPage(IReadOnlyList<JobInfo> Items, string? NextCursor);
