using JobPlatform.Jobs.DependencyInjection;
using JobPlatform.Jobs.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JobPlatform.Benchmarks;

/// <summary>
/// <c>worker &lt;connection string&gt; &lt;concurrency&gt;</c>: a worker process for the scale-out measurement; it runs
/// no-op jobs until it is stopped.
/// </summary>
public static class WorkerCommand
{
    public static async Task RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDbContextPool<JobsDbContext>(o => o.UseNpgsql(args[0]));
        builder.Services.AddJobPlatform()
            .AddProcessing(o => o.Concurrency = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture))
            .AddJob<NoopJob, NoopPayload>("noop", o => o.MaxAttempts = 1);
        await builder.Build().RunAsync();
    }

    /// <summary>Starts this program again as a worker process.</summary>
    public static System.Diagnostics.Process Start(string connectionString, int concurrency)
    {
        var self = Environment.ProcessPath!;
        string[] args = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? [typeof(WorkerCommand).Assembly.Location, "worker", connectionString, concurrency.ToString()]
            : ["worker", connectionString, concurrency.ToString()];
        return System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(self, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
    }
}
