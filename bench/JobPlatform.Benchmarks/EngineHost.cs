using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.DependencyInjection;
using JobPlatform.Jobs.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JobPlatform.Benchmarks;

/// <summary>The engine in a generic host, as a worker process runs it.</summary>
public sealed class EngineHost(IHost host) : IAsyncDisposable
{
    /// <summary>The job type the peer comparison runs (<see cref="Compare.Work"/>).</summary>
    public const string WorkJobName = "work";

    /// <summary>
    /// With <paramref name="process"/> a worker; without, a client as the api is one (it enqueues, listens to
    /// nothing and claims nothing), started after a worker of no queue has registered the job types.
    /// </summary>
    public static async Task<EngineHost> StartAsync(string connectionString, bool process, int concurrency = 32)
    {
        if (!process)
        {
            using var registrar = Build(connectionString, concurrency, queues: ["not-processed-here"]);
            await registrar.StartAsync();
            await registrar.StopAsync();
        }
        var host = process ? Build(connectionString, concurrency) : BuildClient(connectionString);
        await host.StartAsync();
        return new EngineHost(host);
    }

    /// <summary>A client only (enqueues, claims nothing), for job types some other process registers.</summary>
    public static async Task<EngineHost> StartClientAsync(string connectionString)
    {
        var host = BuildClient(connectionString);
        await host.StartAsync();
        return new EngineHost(host);
    }

    /// <summary>A worker offering the bench's jobs.</summary>
    public static IHost Build(string connectionString, int concurrency, string[]? queues = null)
    {
        var builder = CreateBuilder(connectionString);
        builder.Services.AddJobPlatform()
            .AddProcessing(o =>
            {
                o.Concurrency = concurrency;
                if (queues is not null) o.Queues = queues;
            })
            .AddJob<NoopJob, NoopPayload>("noop", o => o.MaxAttempts = 1)
            .AddJob<Compare.WorkJob, Compare.WorkPayload>(WorkJobName, o => o.MaxAttempts = 1);
        return builder.Build();
    }

    private static IHost BuildClient(string connectionString)
    {
        var builder = CreateBuilder(connectionString);
        builder.Services.AddJobPlatform();
        return builder.Build();
    }

    private static HostApplicationBuilder CreateBuilder(string connectionString)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDbContextPool<JobsDbContext>(o => o.UseNpgsql(EngineConnectionString.Tune(connectionString)));
        return builder;
    }

    public IServiceProvider Services => host.Services;

    public async Task<T> WithClientAsync<T>(Func<IJobClient, Task<T>> action)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<IJobClient>());
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
