using System.Collections.Concurrent;
using JobPlatform.Jobs.Handlers;

namespace JobPlatform.Tests.Engine;

public sealed record EchoPayload(string Text);

/// <summary>Remembers every attempt it ran, so tests can see what the engine did.</summary>
public sealed class Executions
{
    public ConcurrentQueue<(Guid JobId, int Attempt, string Text)> Runs { get; } = new();
}

public sealed class EchoJob(Executions executions) : IJob<EchoPayload>
{
    public Task ExecuteAsync(EchoPayload payload, JobContext context, CancellationToken cancellationToken)
    {
        executions.Runs.Enqueue((context.JobId, context.Attempt, payload.Text));
        return Task.CompletedTask;
    }
}

public sealed class AlwaysFailingJob(Executions executions) : IJob<EchoPayload>
{
    public Task ExecuteAsync(EchoPayload payload, JobContext context, CancellationToken cancellationToken)
    {
        executions.Runs.Enqueue((context.JobId, context.Attempt, payload.Text));
        throw new InvalidOperationException($"boom on attempt {context.Attempt}");
    }
}
