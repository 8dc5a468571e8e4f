namespace JobPlatform.Worker.Jobs;

/// <param name="Seconds">How long the job works, in one-second steps.</param>
public sealed record LongRunningJobPayload(int Seconds = LongRunningJobPayload.DefaultSeconds)
{
    public const int DefaultSeconds = 120;
}
