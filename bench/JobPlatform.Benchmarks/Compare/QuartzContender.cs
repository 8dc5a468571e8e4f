using System.Globalization;
using Npgsql;
using Quartz;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>
/// Quartz.NET 4 with the ADO.NET job store on PostgreSQL in one of the sweep's settings (<see cref="QuartzSetting"/>):
/// one-off "run now" triggers are how Quartz runs a background job; batch trigger acquisition (MaxBatchSize = thread
/// pool), IdleWaitTime 1 s (its minimum; a trigger scheduled through the same scheduler wakes it at once anyway),
/// System.Text.Json.
/// </summary>
public sealed class QuartzContender(QuartzSetting setting, int threads) : IContender
{
    private ISchedulerFactory? _factory;
    private IScheduler? _scheduler;
    private string _connectionString = "";

    public async Task InitializeAsync(string connectionString)
    {
        _connectionString = connectionString;
        _factory = QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = "bench";
                s.IdleWaitTime = TimeSpan.FromSeconds(1);
                s.MaxBatchSize = threads;
            });
            q.UseDefaultThreadPool(threads);
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                if (setting.Clustered) store.UseClustering();
                store.ConfigureStore(o =>
                {
                    o.LockOnInsert = setting.LockOnInsert;
                    o.StoreJobDataAsStrings = setting.UseProperties;
                });
                store.ProvisionSchema();
                store.UseSystemTextJsonSerializer();
            });
        }).Build();
        _scheduler = await _factory.GetScheduler(); // stands by: jobs are stored, none fire until Start
    }

    public async Task EnqueueAsync(WorkKind kind, int arg, long stamp = 0)
    {
        var job = JobBuilder.Create<QuartzWork>()
            .UsingJobData("kind", ((int)kind).ToString(CultureInfo.InvariantCulture))
            .UsingJobData("arg", arg.ToString(CultureInfo.InvariantCulture))
            .UsingJobData("stamp", stamp.ToString(CultureInfo.InvariantCulture))
            .Build();
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
