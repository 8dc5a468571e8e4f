namespace JobPlatform.Benchmarks.Compare;

/// <summary>Hangfire's way to run <see cref="Work"/>: a public method on a class it creates per job.</summary>
public sealed class HangfireWork
{
    public Task Run(WorkKind kind, int arg, long stamp, CancellationToken cancellationToken) => Work.RunAsync(kind, arg, stamp, cancellationToken);
}
