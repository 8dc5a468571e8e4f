using System.ComponentModel.DataAnnotations;

namespace JobPlatform.Worker.Jobs;

/// <param name="Seconds">How long the job works, in one-second steps: 1 to 86,400.</param>
public sealed record LongRunningJobPayload([Range(1, LongRunningJobPayload.MaxSeconds)] int Seconds = LongRunningJobPayload.DefaultSeconds)
{
    public const int DefaultSeconds = 120, MaxSeconds = 86_400;
}
