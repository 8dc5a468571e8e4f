using JobPlatform.Jobs.Handlers;

namespace JobPlatform.Benchmarks;

public sealed record NoopPayload(int N);

/// <summary>Does nothing: what is measured is the engine.</summary>
public sealed class NoopJob : IJob<NoopPayload>
{
    public Task ExecuteAsync(NoopPayload payload, JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
