using JobPlatform.Jobs.DependencyInjection;
using JobPlatform.Jobs.Scheduling;
using JobPlatform.Jobs.Storage;
using JobPlatform.TestWorker;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

// Usage: JobPlatform.TestWorker <connection string> [lease seconds] [--schedule]
// --schedule declares the schedule "tick" (every second, a side-effect job) and leads the scheduler on a
// lease of the same length, renewed every 200 ms.
var connectionString = args[0];
var lease = TimeSpan.FromSeconds(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2);
var schedule = args.Contains("--schedule");

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddDbContextPool<JobsDbContext>(o => o.UseNpgsql(EngineConnectionString.Tune(connectionString)));
builder.Services.AddSingleton(NpgsqlDataSource.Create(connectionString));
builder.Services.AddJobPlatform()
    .AddProcessing(o =>
    {
        o.Concurrency = 16;
        o.LeaseDuration = lease;
        o.PollInterval = TimeSpan.FromMilliseconds(100);
    })
    .AddJob<SideEffectJob, SideEffectPayload>("side-effect", o => o.MaxAttempts = 5);
if (schedule)
{
    builder.Services.AddJobPlatform().AddSchedule("tick", "* * * * * *", "side-effect", new SideEffectPayload(0));
    builder.Services.Configure<SchedulingOptions>(o => (o.LeaseDuration, o.Tick) = (lease, TimeSpan.FromMilliseconds(200)));
}

await builder.Build().RunAsync();
