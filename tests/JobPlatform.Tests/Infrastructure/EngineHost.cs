using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.DependencyInjection;
using JobPlatform.Jobs.Processing;
using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Engine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace JobPlatform.Tests.Infrastructure;

/// <summary>A real engine (client, and optionally processing) in a generic host, against a test database.</summary>
public sealed class EngineHost : IAsyncDisposable
{
    private readonly IHost _host;

    private EngineHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public static async Task<EngineHost> StartAsync(
        string connectionString, Action<JobPlatformBuilder>? jobs = null, Action<ProcessingOptions>? processing = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDbContextPool<JobsDbContext>(o => o.UseNpgsql(EngineConnectionString.Tune(connectionString)));
        var platform = builder.Services.AddJobPlatform();
        if (jobs is not null)
        {
            platform.AddProcessing(o =>
            {
                o.PollInterval = TimeSpan.FromMilliseconds(50);
                o.ShutdownGrace = TimeSpan.FromSeconds(2);
                processing?.Invoke(o);
            });
            jobs(platform);
        }
        var host = builder.Build();
        await host.StartAsync();
        return new EngineHost(host);
    }

    /// <summary>
    /// A worker offering only <c>echo</c> (payload <c>{"text": string}</c>, runs recorded in <see cref="Executions"/>):
    /// registering that type is all many tests need from a worker.
    /// </summary>
    public static Task<EngineHost> StartEchoWorkerAsync(string connectionString, Action<ProcessingOptions>? processing = null) =>
        StartAsync(connectionString, jobs =>
        {
            jobs.Services.AddSingleton(new Executions());
            jobs.AddJob<EchoJob, EchoPayload>("echo");
        }, processing);

    /// <summary>Runs <paramref name="action"/> with a client from a fresh scope.</summary>
    public async Task<T> WithClientAsync<T>(Func<IJobClient, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<IJobClient>());
    }

    /// <summary>Enqueues through a client from a fresh scope; returns the job's id.</summary>
    public async Task<Guid> EnqueueAsync<TPayload>(string type, TPayload payload, EnqueueOptions? options = null) =>
        (await WithClientAsync(c => payload is string json ? c.EnqueueAsync(type, json, options) : c.EnqueueAsync(type, payload, options))).Id;

    public async Task<T> WithStoreAsync<T>(Func<JobStore, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<JobStore>());
    }

    /// <summary>Puts the fencing-token guard in place, as the first claim on a fresh database would, so a test's claim runs once.</summary>
    public Task GuardFencingTokensAsync() => WithStoreAsync(async s =>
    {
        await s.GuardFencingTokensAsync(CancellationToken.None);
        return 0;
    });

    /// <summary>Polls until the job is in one of <paramref name="states"/>; fails with its last state otherwise.</summary>
    public async Task<JobInfo> WaitForStateAsync(Guid id, TimeSpan timeout, params JobState[] states)
    {
        var deadline = DateTime.UtcNow + timeout;
        JobInfo? job = null;
        while (DateTime.UtcNow < deadline)
        {
            job = await WithClientAsync(c => c.GetAsync(id));
            if (job is not null && states.Contains(job.State)) return job;
            await Task.Delay(50);
        }
        throw new TimeoutException($"Job {id} did not reach {string.Join("/", states)} within {timeout}; last seen {job?.State}, error {job?.Error}.");
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        // Every test has its own database, so idle pooled connections would pile up across the run until
        // the server refuses more; tests run one at a time, so dropping them all is safe.
        NpgsqlConnection.ClearAllPools();
    }
}
