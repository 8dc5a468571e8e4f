using System.ComponentModel.DataAnnotations;

namespace JobPlatform.Worker.Jobs;

/// <param name="FailureRate">Probability, from 0 to 1, that an attempt throws.</param>
public sealed record FlakyJobPayload([Range(0.0, 1.0)] double FailureRate = 0.5);
