using JobPlatform.Jobs.Handlers;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>JobPlatform's way to run <see cref="Work"/>.</summary>
public sealed class WorkJob : IJob<WorkPayload>
{
    public Task ExecuteAsync(WorkPayload payload, JobContext context, CancellationToken cancellationToken) =>
        Work.RunAsync(payload.Kind, payload.Arg, payload.Stamp, cancellationToken);
}
