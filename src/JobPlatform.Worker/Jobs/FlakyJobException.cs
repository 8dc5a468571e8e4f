namespace JobPlatform.Worker.Jobs;

/// <summary>The deliberate failure of a flaky job.</summary>
public sealed class FlakyJobException(int attempt, double failureRate)
    : Exception($"Flaky job failed on attempt {attempt} (failure rate {failureRate:P0}).");
