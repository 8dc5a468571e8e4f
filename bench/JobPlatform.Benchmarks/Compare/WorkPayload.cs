namespace JobPlatform.Benchmarks.Compare;

/// <summary>A job of the comparison: what it does, its number, and for a probe the producer's clock at its enqueue.</summary>
public sealed record WorkPayload(WorkKind Kind, int Arg, long Stamp = 0);
