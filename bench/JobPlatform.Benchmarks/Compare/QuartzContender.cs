using Npgsql;
using Quartz;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>Quartz.NET 4 with the clustered ADO.NET job store on PostgreSQL, at its fastest documented settings.</summary>
public sealed class QuartzContender : IContender
{
    // One-off "run now" triggers are how Quartz runs a background job. 1 s is the shortest idle wait it
    // accepts; a trigger scheduled through this scheduler wakes it at once anyway.
    public const string Settings =
        "Quartz: clustered ADO store (UsePostgres, UseClustering), batch trigger acquisition (MaxBatchSize = concurrency), IdleWaitTime 1 s (its minimum), System.Text.Json; thread pool = concurrency";

    private ISchedulerFactory? _factory;
    private IScheduler? _scheduler;
    private string _connectionString = "";

    public async Task InitializeAsync(string connectionString, int concurrency)
    {
        _connectionString = connectionString;
        _factory = QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = "bench";
                s.IdleWaitTime = TimeSpan.FromSeconds(1);
                s.MaxBatchSize = concurrency;
            });
            q.UseDefaultThreadPool(concurrency);
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.UseClustering();
                store.ProvisionSchema();
                store.UseSystemTextJsonSerializer();
            });
        }).Build();
        _scheduler = await _factory.GetScheduler(); // stands by: jobs are stored, none fire until Start
    }

    public async Task EnqueueAsync(WorkKind kind, int arg)
    {
        var job = JobBuilder.Create<QuartzWork>().UsingJobData("kind", (int)kind).UsingJobData("arg", arg).Build();
        await _scheduler!.ScheduleJob(job, TriggerBuilder.Create().StartNow().Build());
    }

    // Quartz schedules one job per call: fill from several threads.
    public Task FillAsync(WorkKind kind, int count) => ParallelEnqueue.RunAsync(this, kind, count, threads: 16);

    public async Task StartProcessingAsync() => await _scheduler!.Start();

    public async Task<long> UnfinishedAsync()
    {
        // A fired one-off trigger is deleted when its job completes, and the job with it.
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM qrtz_triggers) + (SELECT count(*) FROM qrtz_fired_triggers)", connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public async ValueTask DisposeAsync()
    {
        if (_scheduler is not null) await _scheduler.Shutdown(waitForJobsToComplete: false);
        if (_factory is IAsyncDisposable disposable) await disposable.DisposeAsync();
    }
}
