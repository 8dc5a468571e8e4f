namespace JobPlatform.Api.Contracts;

/// <summary>The answer to an enqueue: the new job's id and where to follow it.</summary>
public sealed record JobAcceptedResponse(Guid Id, string Type, string Location);
