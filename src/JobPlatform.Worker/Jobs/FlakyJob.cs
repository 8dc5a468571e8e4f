using JobPlatform.Jobs.Handlers;

namespace JobPlatform.Worker.Jobs;

/// <summary>Fails at random, to show retries and to feed the failure panels.</summary>
public sealed class FlakyJob : IJob<FlakyJobPayload>
{
    public const string Name = "flaky-job";

    public Task ExecuteAsync(FlakyJobPayload payload, JobContext context, CancellationToken cancellationToken)
    {
        // FailureRate is within its [Range]: the api refused anything else, and the engine checks it before this runs.
        return Random.Shared.NextDouble() < payload.FailureRate
            ? throw new FlakyJobException(context.Attempt, payload.FailureRate)
            : Task.CompletedTask;
    }
}
