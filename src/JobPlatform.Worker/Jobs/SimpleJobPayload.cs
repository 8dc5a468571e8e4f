namespace JobPlatform.Worker.Jobs;

/// <param name="Name">Who to greet.</param>
public sealed record SimpleJobPayload(string Name);
