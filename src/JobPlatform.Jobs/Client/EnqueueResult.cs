namespace JobPlatform.Jobs.Client;

/// <summary>The job an enqueue refers to; <see cref="Created"/> is false when a unique key matched an unfinished job.</summary>
public readonly record struct EnqueueResult(Guid Id, bool Created);
