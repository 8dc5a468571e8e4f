using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using JobPlatform.AppHost.Local;
using JobPlatform.Jobs;
using JobPlatform.Testing;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace JobPlatform.Tests.Reliability;

/// <summary>
/// Found by the explorer (seeds 37 and 40): a worker whose database went away while it started crashed (exit 134):
/// its job types and schedules were written without waiting for the database, as the schema is; and a worker told
/// to stop while it waited for the database died of the cancelled start instead of exiting.
/// </summary>
public sealed class StartupOutageTests
{
    /// <summary>Stops the database right after the schema is ready, and starts it again a few seconds later.</summary>
    private sealed class OutageAfterSchema(LocalPostgresCluster cluster) : IHostedService
    {
        public Task Restarted { get; private set; } = Task.CompletedTask;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await cluster.StopAsync(immediate: true, cancellationToken);
            Restarted = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(3));
                await cluster.StartAgainAsync(CancellationToken.None);
            });
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task A_worker_whose_database_goes_away_as_it_starts_waits_for_it_and_then_works()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        // Durable: the stop is a crash (immediate), and without fsync the schema just created could go with it.
        await using var cluster = await LocalPostgresCluster.StartAsync(PostgresBinaries.Find()!, cts.Token, durable: true);
        var db = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Pooling = true }.ConnectionString;
        var outage = new OutageAfterSchema(cluster);
        await using var worker = await EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(new Executions());
            jobs.AddJob<EchoJob, EchoPayload>("echo").AddSchedule("hourly", "0 * * * *", "echo", new EchoPayload("beat"));
            // Right after the schema initializer (the first hosted service), before the job types are registered.
            jobs.Services.Insert(1, ServiceDescriptor.Singleton<IHostedService>(outage));
        });
        await outage.Restarted;

        var id = await worker.EnqueueAsync("echo", new EchoPayload("after the outage"));
        await worker.WaitForStateAsync(id, TimeSpan.FromSeconds(30), JobState.Succeeded);
        Assert.Equal(1, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.schedules WHERE name = 'hourly'"));
    }

    [Fact]
    public async Task A_worker_told_to_stop_while_it_waits_for_the_database_exits_cleanly()
    {
        // A port where nothing listens: the database cannot be reached, and the worker waits for it.
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        using var worker = WorkerProcess.Start($"Host=127.0.0.1;Port={port};Username=nobody;Database=jobsdb", "waiting", TimeSpan.FromSeconds(3));
        await Task.Delay(TimeSpan.FromSeconds(5)); // started, and waiting for the database
        Assert.False(worker.HasExited, "the worker gave up on the database instead of waiting for it");

        Process.Start("kill", ["-TERM", worker.Id.ToString()])!.WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await worker.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, worker.ExitCode);
    }
}
