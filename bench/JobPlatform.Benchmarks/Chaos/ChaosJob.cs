using JobPlatform.Jobs.Handlers;
using Npgsql;

namespace JobPlatform.Benchmarks.Chaos;

/// <summary>
/// Works for a while, fails where its payload says so, and as its last step applies its effect through the
/// fence with the attempt's token: an attempt that returns has applied its effect exactly once.
/// </summary>
public sealed class ChaosJob(NpgsqlDataSource dataSource) : IJob<ChaosPayload>
{
    public const string Name = "chaos";

    public async Task ExecuteAsync(ChaosPayload payload, JobContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(payload.WorkMs, cancellationToken);
        if (context.Attempt < payload.FailBeforeAttempt)
            throw new InvalidOperationException($"chaos job {payload.Number} fails attempt {context.Attempt} on purpose");
        if (!await FencedEffects.ApplyAsync(dataSource, context.JobId, context.FencingToken, context.Attempt, cancellationToken))
            throw new InvalidOperationException($"the fence refused token {context.FencingToken}: a newer attempt of this job has written");
    }
}
