using JobPlatform.Jobs.Handlers;

namespace JobPlatform.Worker.Jobs;

/// <summary>Fails at random, to show retries and to feed the failure panels.</summary>
public sealed class FlakyJob : IJob<FlakyJobPayload>
{
    public const string Name = "flaky-job";

    public Task ExecuteAsync(FlakyJobPayload payload, JobContext context, CancellationToken cancellationToken)
    {
        if (payload.FailureRate is < 0 or > 1 || double.IsNaN(payload.FailureRate))
            throw new JobPayloadException($"failureRate must be between 0 and 1; got {payload.FailureRate}.");

        return Random.Shared.NextDouble() < payload.FailureRate
            ? throw new FlakyJobException(context.Attempt, payload.FailureRate)
            : Task.CompletedTask;
    }
}
