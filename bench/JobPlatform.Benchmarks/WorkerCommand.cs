using Microsoft.Extensions.Hosting;

namespace JobPlatform.Benchmarks;

/// <summary>
/// <c>worker &lt;connection string&gt; &lt;concurrency&gt;</c>: a worker process for the scale-out measurement; it runs
/// no-op jobs until it is stopped.
/// </summary>
public static class WorkerCommand
{
    public static Task RunAsync(string[] args) =>
        EngineHost.Build(args[0], int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture)).RunAsync();

    /// <summary>Starts this program again as a worker process.</summary>
    public static System.Diagnostics.Process Start(string connectionString, int concurrency) =>
        SelfProcess.Start(["worker", connectionString, concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
}
