using System.Globalization;
using Quartz;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>
/// Quartz's way to run <see cref="Work"/>: a job class, its arguments in the job data map, as strings (what
/// Quartz's <c>useProperties</c> mode requires, and what every one of its configurations here stores alike).
/// </summary>
public sealed class QuartzWork : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var data = context.MergedJobDataMap;
        int Int(string key) => int.Parse(data.GetString(key)!, CultureInfo.InvariantCulture);
        var stamp = long.Parse(data.GetString("stamp")!, CultureInfo.InvariantCulture);
        return new ValueTask(Work.RunAsync((WorkKind)Int("kind"), Int("arg"), stamp, cancellationToken));
    }
}
