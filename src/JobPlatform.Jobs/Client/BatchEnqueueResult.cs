namespace JobPlatform.Jobs.Client;

public sealed record BatchEnqueueResult(Guid BatchId, IReadOnlyList<Guid> JobIds);
