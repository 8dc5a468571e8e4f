using JobPlatform.Jobs.Handlers;

namespace JobPlatform.Worker.Jobs;

/// <summary>The seed system's slow job: works in one-second steps and stops as soon as it is cancelled.</summary>
public sealed partial class LongRunningJob(ILogger<LongRunningJob> logger, TimeProvider time) : IJob<LongRunningJobPayload>
{
    public const string Name = "long-running-job";

    public async Task ExecuteAsync(LongRunningJobPayload payload, JobContext context, CancellationToken cancellationToken)
    {
        // Seconds is within its [Range]: the api refused anything else, and the engine checks it before this runs.
        for (var step = 1; step <= payload.Seconds; step++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            var percent = 100 * step / payload.Seconds;
            // Progress is visible through the api (GET /api/jobs/{id}) while the job runs.
            await context.ReportProgressAsync(percent, $"step {step} of {payload.Seconds}", cancellationToken);
            if (step % 10 == 0 || step == payload.Seconds) LogProgress(context.JobId, step, payload.Seconds, percent);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: step {Step} of {Steps} ({Percent} %)")]
    private partial void LogProgress(Guid jobId, int step, int steps, int percent);
}
