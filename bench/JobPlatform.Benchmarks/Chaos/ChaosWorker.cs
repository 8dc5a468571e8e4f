using System.Diagnostics;
using System.Globalization;
using JobPlatform.Jobs.DependencyInjection;
using JobPlatform.Jobs.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace JobPlatform.Benchmarks.Chaos;

/// <summary>
/// <c>chaos-worker &lt;connection string&gt; &lt;lease seconds&gt;</c>: a worker process of the chaos suite. It logs
/// warnings and errors to standard error (one line each), which the suite counts to show that an outage does
/// not flood the log.
/// </summary>
public static class ChaosWorker
{
    public const int Concurrency = 16;

    public static Task RunAsync(string[] args)
    {
        var connectionString = args[0];
        var lease = TimeSpan.FromSeconds(double.Parse(args[1], CultureInfo.InvariantCulture));
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => (o.SingleLine, o.IncludeScopes) = (true, false));
        builder.Logging.AddFilter((category, level) => level >= LogLevel.Warning && category?.StartsWith("Microsoft.EntityFrameworkCore") != true);
        builder.Services.AddDbContextPool<JobsDbContext>(o => o.UseNpgsql(EngineConnectionString.Tune(connectionString)));
        builder.Services.AddSingleton(NpgsqlDataSource.Create(connectionString));
        builder.Services.AddJobPlatform()
            .AddProcessing(o =>
            {
                o.Concurrency = Concurrency;
                o.LeaseDuration = lease;
                o.PollInterval = TimeSpan.FromMilliseconds(250);
            })
            .AddJob<ChaosJob, ChaosPayload>(ChaosJob.Name, o =>
            {
                // Lost leases (kills, the pause, the database's crash) spend no attempt but a rescue; give the rare
                // job caught by several of them room. The rescue budget itself is tested on its own.
                o.MaxAttempts = 12;
                o.MaxRescues = 12;
                o.RetryIntervals = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)];
            });
        return builder.Build().RunAsync();
    }

    /// <summary>Starts a chaos worker: this assembly again, under the dotnet host, whoever runs it (the bench or a test).</summary>
    public static Process Start(string connectionString, TimeSpan lease) =>
        SelfProcess.Start(["chaos-worker", connectionString, lease.TotalSeconds.ToString(CultureInfo.InvariantCulture)]);
}
