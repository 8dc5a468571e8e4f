namespace JobPlatform.Benchmarks.Compare;

/// <summary>
/// Jobs per scenario. The peers get fewer because they drain about a hundred jobs a second: the same count
/// as JobPlatform would take them many minutes, and a rate is a rate once start-up is a small part of the run.
/// </summary>
public sealed record ScenarioSizes(int SingleEnqueue, int ParallelEnqueue, int Drain, int Sleep, int LatencySamples);
