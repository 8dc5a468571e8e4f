namespace JobPlatform.Worker.Jobs;

/// <param name="FailureRate">Probability, from 0 to 1, that an attempt throws.</param>
public sealed record FlakyJobPayload(double FailureRate = 0.5);
