namespace JobPlatform.Benchmarks.Chaos;

/// <summary>
/// One chaos job: how long its handler works, and until which attempt it fails (0: never; beyond the job's
/// attempts: always). <see cref="Shape"/> names how it was enqueued, for the report.
/// </summary>
public sealed record ChaosPayload(int Number, string Shape, int WorkMs, int FailBeforeAttempt = 0);
