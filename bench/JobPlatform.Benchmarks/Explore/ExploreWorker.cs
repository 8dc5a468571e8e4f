using System.Globalization;
using JobPlatform.Jobs.DependencyInjection;
using JobPlatform.Jobs.Scheduling;
using JobPlatform.Jobs.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace JobPlatform.Benchmarks.Explore;

/// <summary>
/// An explorer's worker process (<c>explore-worker &lt;connection string&gt; &lt;lease s&gt; &lt;clock skew s&gt;</c>): the explore
/// job types, one limited cluster-wide, and a schedule firing every second; its own clock may be skewed.
/// </summary>
public static class ExploreWorker
{
    public const string Schedule = "explore-tick";

    public static async Task RunAsync(string[] args)
    {
        var connectionString = args[0];
        var lease = TimeSpan.FromSeconds(double.Parse(args[1], CultureInfo.InvariantCulture));
        var skew = TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture));

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("JobPlatform.Jobs.Scheduling", LogLevel.Debug); // who leads, and why a round fired nothing
        builder.Logging.AddFilter("JobPlatform.Jobs.Processing", LogLevel.Debug); // each job's outcome and lease stop, by id
        builder.Logging.AddSimpleConsole(o => (o.TimestampFormat, o.UseUtcTimestamp) = (WorkerSlot.TimestampFormat, true));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.Services.AddSingleton<TimeProvider>(new SkewedClock(skew));
        builder.Services.AddHostedService<StallDetector>();
        builder.Services.AddDbContextPool<JobsDbContext>(o => o.UseNpgsql(EngineConnectionString.Tune(connectionString)));
        builder.Services.AddSingleton(NpgsqlDataSource.Create(connectionString));
        builder.Services.Configure<SchedulingOptions>(o => (o.LeaseDuration, o.Tick) = (lease, TimeSpan.FromMilliseconds(250)));
        builder.Services.AddJobPlatform()
            .AddProcessing(o =>
            {
                o.Concurrency = 8;
                o.LeaseDuration = lease;
                o.PollInterval = TimeSpan.FromMilliseconds(250);
                o.ShutdownGrace = TimeSpan.FromSeconds(2);
            })
            .AddJob<ExploreJob, ExplorePayload>(ExploreJob.Work, Defaults)
            .AddJob<ExploreJob, ExplorePayload>(ExploreJob.Limited, o => { Defaults(o); o.ConcurrencyLimit = ExploreJob.Limit; })
            .AddJob<ExploreJob, ExplorePayload>(ExploreJob.Callback, Defaults)
            .AddSchedule(Schedule, "* * * * * *", ExploreJob.Work, new ExplorePayload(1));
        try
        {
            await builder.Build().RunAsync();
        }
        catch (OperationCanceledException)
        {
            // Stopped while still starting, as the product's worker does: a clean exit.
        }
    }

    private static void Defaults(Jobs.Handlers.JobTypeOptions o)
    {
        o.MaxAttempts = 5;
        // Kills, pauses, partitions and restarts all cost leases; the budget itself is tested on its own.
        o.MaxRescues = 50;
        o.RetryIntervals = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300)];
    }

    /// <summary>This machine's clock, off by a fixed amount: timers and timestamps are left as they are.</summary>
    private sealed class SkewedClock(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + skew;
    }
}
