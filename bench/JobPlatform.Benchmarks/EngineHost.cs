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

    public static async Task<EngineHost> StartAsync(string connectionString, bool process, int concurrency = 32)
    {
        var host = Build(connectionString, process, concurrency);
        await host.StartAsync();
        return new EngineHost(host);
    }

    /// <summary>A host offering the no-op job; with <paramref name="process"/> false it registers the type but claims nothing.</summary>
    public static IHost Build(string connectionString, bool process, int concurrency)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDbContextPool<JobsDbContext>(o => o.UseNpgsql(connectionString));
        builder.Services.AddJobPlatform()
            .AddProcessing(o =>
            {
                o.Concurrency = concurrency;
                if (!process) o.Queues = ["not-processed-here"];
            })
            .AddJob<NoopJob, NoopPayload>("noop", o => o.MaxAttempts = 1)
            .AddJob<Compare.WorkJob, Compare.WorkPayload>(WorkJobName, o => o.MaxAttempts = 1);
        return builder.Build();
    }

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
