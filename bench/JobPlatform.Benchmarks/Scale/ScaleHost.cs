using JobPlatform.Jobs.DependencyInjection;
using JobPlatform.Jobs.Maintenance;
using JobPlatform.Jobs.Processing;
using JobPlatform.Jobs.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JobPlatform.Benchmarks.Scale;

/// <summary>A worker offering the scale scenarios' job types, and the clients that feed it.</summary>
public static class ScaleHost
{
    public const string Io = "io-100ms", Cpu = "cpu-5ms", Mixed = "mixed", Quick = "quick", Held = "held", Probe = "probe";

    public static IHost Build(string connectionString, Action<ProcessingOptions> processing, Action<RetentionOptions>? retention = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDbContextPool<JobsDbContext>(o => o.UseNpgsql(EngineConnectionString.Tune(connectionString)));
        if (retention is not null) builder.Services.Configure(retention);
        builder.Services.AddJobPlatform()
            .AddProcessing(processing)
            .AddJob<IoJob, ScalePayload>(Io, o => o.MaxAttempts = 1)
            .AddJob<CpuJob, ScalePayload>(Cpu, o => o.MaxAttempts = 1)
            .AddJob<MixedJob, ScalePayload>(Mixed, o => o.MaxAttempts = 1)
            .AddJob<QuickJob, ScalePayload>(Quick, o => o.MaxAttempts = 1)
            .AddJob<ProbeJob, ScalePayload>(Probe, o => o.MaxAttempts = 1)
            .AddJob<HoldingJob, ScalePayload>(Held, o => (o.MaxAttempts, o.ConcurrencyLimit) = (1, 1));
        return builder.Build();
    }

    /// <summary>Registers the types (a worker of no queue starts and stops), so a client can enqueue before any worker runs.</summary>
    public static async Task RegisterAsync(string connectionString)
    {
        using var registrar = Build(connectionString, o => o.Queues = ["not-processed-here"]);
        await registrar.StartAsync();
        await registrar.StopAsync();
    }
}
