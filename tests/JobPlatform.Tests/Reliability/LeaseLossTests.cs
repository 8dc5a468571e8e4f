using System.Diagnostics;
using JobPlatform.AppHost.Local;
using JobPlatform.Jobs;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Processing;
using JobPlatform.Testing;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace JobPlatform.Tests.Reliability;

/// <summary>
/// A server that no longer holds a job's lease stops the job's handler: when another server has taken the job
/// over, and, before the lease runs out, when no renewal got through for three quarters of it — the database
/// stopped, or a network that drops every packet — since others may take the job once it has run out.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LeaseLossTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    /// <summary>How often the handler ran, and when its first run was stopped.</summary>
    public sealed class Watch
    {
        public readonly TaskCompletionSource Stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Runs;
    }

    /// <summary>The first run waits until it is cancelled; any later run returns at once.</summary>
    public sealed class FirstRunWaitsJob(Watch watch) : IJob<EchoPayload>
    {
        public async Task ExecuteAsync(EchoPayload payload, JobContext context, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref watch.Runs) > 1) return;
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                watch.Stopped.TrySetResult();
            }
        }
    }

    private static Task<EngineHost> StartWorkerAsync(string db, Watch watch) =>
        EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(watch);
            jobs.AddJob<FirstRunWaitsJob, EchoPayload>("first-run-waits");
        }, o => o.LeaseDuration = Lease);

    [Fact]
    public async Task A_job_another_server_took_over_is_stopped_here_and_stays_the_other_servers()
    {
        var db = await postgres.CreateDatabaseAsync();
        var watch = new Watch();
        await using var worker = await StartWorkerAsync(db, watch);
        var id = await worker.EnqueueAsync("first-run-waits", new EchoPayload("x"));
        await worker.WaitForStateAsync(id, TimeSpan.FromSeconds(20), JobState.Processing);

        // What a rescue followed by another server's claim leaves behind: another owner, a newer fencing token.
        await Sql.ExecuteAsync(db, $"""
            UPDATE jobplatform.jobs SET lease_owner = 'another-server', fencing_token = nextval('jobplatform.fencing_tokens'),
                lease_expires_at = now() + interval '1 hour'
            WHERE id = '{id}'
            """);
        // The next heartbeat (every lease / 3 = 1 s) finds the lease gone and cancels the handler.
        await watch.Stopped.Task.WaitAsync(TimeSpan.FromSeconds(5));

        // The attempt's release is refused (stale token): the job is still the other server's, and ran once here.
        await AssertNothingRunningAsync(worker, TimeSpan.FromSeconds(5));
        Assert.Equal(1, await Sql.ScalarAsync(db, $"SELECT count(*) FROM jobplatform.jobs WHERE id = '{id}' AND state = 'processing' AND lease_owner = 'another-server'"));
        Assert.Equal(1, watch.Runs);
    }

    [Fact]
    public async Task Jobs_are_stopped_before_their_lease_runs_out_when_the_database_is_away_and_run_again_when_it_returns()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        // Durable: the stop below is a crash (immediate), and without fsync and synchronous commit the job's own
        // insert may be lost with it.
        await using var cluster = await LocalPostgresCluster.StartAsync(PostgresBinaries.Find()!, cts.Token, durable: true);
        var db = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Pooling = true }.ConnectionString;
        var watch = new Watch();
        await using var worker = await StartWorkerAsync(db, watch);
        var id = await worker.EnqueueAsync("first-run-waits", new EchoPayload("x"));
        await worker.WaitForStateAsync(id, TimeSpan.FromSeconds(20), JobState.Processing);

        await cluster.StopAsync(immediate: true, cts.Token);
        var away = Stopwatch.StartNew();
        await watch.Stopped.Task.WaitAsync(TimeSpan.FromSeconds(10), cts.Token);
        output.WriteLine($"the handler was stopped {away.Elapsed.TotalSeconds:N1} s after the database went away (lease {Lease.TotalSeconds} s)");
        // Not before three quarters of the lease can have passed since the last renewal (sent up to a third of a
        // lease before the stop)...
        Assert.True(away.Elapsed >= Lease * 3 / 4 - Lease / 3, $"stopped after only {away.Elapsed.TotalSeconds:N1} s");
        // ...and before the lease runs out, so that no other server can have taken the job yet.
        Assert.True(away.Elapsed < Lease, $"stopped only after {away.Elapsed.TotalSeconds:N1} s");

        await cluster.StartAgainAsync(cts.Token);
        await worker.WaitForStateAsync(id, TimeSpan.FromSeconds(40), JobState.Succeeded);
        Assert.Equal(2, watch.Runs);
    }

    [Fact]
    public async Task A_server_cut_off_from_the_database_stops_its_jobs_and_another_server_runs_them()
    {
        var db = await postgres.CreateDatabaseAsync();
        var watch = new Watch(); // shared by both servers: it counts the job's runs wherever they happen
        var direct = new NpgsqlConnectionStringBuilder(db);
        await using var proxy = new PartitionProxy(direct.Host!, direct.Port);
        var throughProxy = new NpgsqlConnectionStringBuilder(db) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString;
        await using var cutOff = await StartWorkerAsync(throughProxy, watch);
        var id = await cutOff.EnqueueAsync("first-run-waits", new EchoPayload("x"));
        await cutOff.WaitForStateAsync(id, TimeSpan.FromSeconds(20), JobState.Processing);

        // Silence, not refusal: the heartbeat's statements get no answer at all.
        proxy.Cut();
        var cut = Stopwatch.StartNew();
        await watch.Stopped.Task.WaitAsync(TimeSpan.FromSeconds(15));
        var stoppedAfter = cut.Elapsed;
        // The handler was stopped while the job's lease, as the database sees it, still held: no other server could
        // have taken the job yet. The lease watch ticks apart from the renewals, which the silent database holds for up
        // to Npgsql's 30 s command timeout.
        var leaseLeft = await Sql.ScalarAsync(db, $"SELECT extract(epoch FROM lease_expires_at - now()) * 1000 FROM jobplatform.jobs WHERE id = '{id}'");
        output.WriteLine($"the handler was stopped {stoppedAfter.TotalSeconds:N1} s after the cut, {leaseLeft} ms before its lease ran out (lease {Lease.TotalSeconds} s)");
        Assert.True(leaseLeft > 0, $"stopped {-leaseLeft} ms after the lease ran out");

        // Another server, which reaches the database, rescues the job and runs it.
        await using var other = await StartWorkerAsync(db, watch);
        await other.WaitForStateAsync(id, TimeSpan.FromSeconds(30), JobState.Succeeded);
        Assert.Equal(2, watch.Runs);

        // The network heals: the cut-off server's late release carries a stale token and is refused.
        proxy.Heal();
        await AssertNothingRunningAsync(cutOff, TimeSpan.FromSeconds(10));
        var job = await other.WaitForStateAsync(id, TimeSpan.FromSeconds(1), JobState.Succeeded);
        Assert.Equal(["rescued", "succeeded"], job.Attempts.Select(a => a.Outcome));
    }

    /// <summary>Waits until <paramref name="server"/> has nothing left running: its stopped attempt was handed back or refused.</summary>
    private static async Task AssertNothingRunningAsync(EngineHost server, TimeSpan within)
    {
        var running = server.Services.GetRequiredService<RunningJobs>();
        for (var waited = Stopwatch.StartNew(); running.Count > 0 && waited.Elapsed < within;) await Task.Delay(50);
        Assert.Equal(0, running.Count);
    }
}
