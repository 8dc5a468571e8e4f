namespace JobPlatform.Api.Contracts;

/// <summary>A page of jobs, newest first, without attempt histories; pass <c>nextCursor</c> as <c>cursor</c> for the next page (null: last page).</summary>
public sealed record JobPageResponse(IReadOnlyList<JobResponse> Items, string? NextCursor);
