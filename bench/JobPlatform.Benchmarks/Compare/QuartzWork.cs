using Quartz;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>Quartz's way to run <see cref="Work"/>: a job class, its arguments in the job data map.</summary>
public sealed class QuartzWork : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var data = context.MergedJobDataMap;
        return new ValueTask(Work.RunAsync((WorkKind)data.GetInt("kind"), data.GetInt("arg"), cancellationToken));
    }
}
