namespace JobPlatform.Benchmarks.Compare;

public sealed record WorkPayload(WorkKind Kind, int Arg);
