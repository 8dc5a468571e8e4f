using JobPlatform.Jobs.DependencyInjection;
using JobPlatform.Jobs.Processing;
using JobPlatform.Jobs.Storage;
using JobPlatform.Worker.Hosting;
using JobPlatform.Worker.Jobs;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDbContext<JobsDbContext>("jobsdb", settings =>
{
    settings.ConnectionString = EngineConnectionString.Tune(settings.ConnectionString);
    // The engine's loops wait and try again on their own, backing off while the database stays away; EF's
    // retries inside each call would only hold a claim loop for half a minute after the database is back.
    settings.DisableRetry = true;
});

builder.Services.AddJobPlatform()
    .AddProcessing()
    .AddJob<SimpleJob, SimpleJobPayload>(SimpleJob.Name)
    .AddJob<LongRunningJob, LongRunningJobPayload>(LongRunningJob.Name, o => o.MaxAttempts = 1)
    .AddJob<FlakyJob, FlakyJobPayload>(FlakyJob.Name, o => o.MaxAttempts = 5)
    .AddJob<HeartbeatReportJob, HeartbeatReportPayload>(HeartbeatReportJob.Name, o => o.MaxAttempts = 1)
    // A recurring schedule declared in code: every minute, fired once however many workers run.
    .AddSchedule(HeartbeatReportJob.Schedule, HeartbeatReportJob.Cron, HeartbeatReportJob.Name, new HeartbeatReportPayload(),
        s => s with { Overlap = JobPlatform.Jobs.Scheduling.OverlapPolicy.Skip });
builder.Services.AddSingleton<IServerEndpointSource, KestrelEndpointSource>();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGet("/", () => Results.Text("JobPlatform worker: see /health, /alive and /metrics."));

try
{
    app.Run();
}
catch (OperationCanceledException)
{
    // Asked to stop while still starting (waiting for an unreachable database, say): a clean exit, not a crash.
}
