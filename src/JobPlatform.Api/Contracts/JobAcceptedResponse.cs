namespace JobPlatform.Api.Contracts;

/// <summary>The answer to an enqueue: the job's id, where to follow it, and whether it was created (false: a
/// job with the same unique key was unfinished, and this is that job).</summary>
public sealed record JobAcceptedResponse(Guid Id, string Type, string Location, bool Created = true);
