using JobPlatform.Jobs;
using JobPlatform.Jobs.DependencyInjection;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace JobPlatform.Tests.Correctness;

/// <summary>
/// Finding 2 of issue 16: a job still finishing within the shutdown grace keeps its lease until it has ended. The
/// heartbeat used to stop before the processor drained, so a job running longer than a lease into the grace was
/// rescued and run by another server while it still ran here.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GracefulShutdownTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    public sealed class Runs
    {
        public readonly TaskCompletionSource Started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Count;
        public int Finished;
    }

    /// <summary>Works for three leases, then ends; it ignores no cancellation (the grace is long enough).</summary>
    public sealed class SlowJob(Runs runs) : IJob<EchoPayload>
    {
        public async Task ExecuteAsync(EchoPayload payload, JobContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref runs.Count);
            runs.Started.TrySetResult();
            await Task.Delay(Lease * 3, cancellationToken);
            Interlocked.Increment(ref runs.Finished);
        }
    }

    private static Task<EngineHost> StartWorkerAsync(string db, Runs runs) =>
        EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(runs);
            jobs.AddJob<SlowJob, EchoPayload>("slow");
        }, o =>
        {
            o.LeaseDuration = Lease;
            o.ShutdownGrace = Lease * 5;
        });

    [Fact]
    public async Task A_job_finishing_within_the_grace_keeps_its_lease_and_runs_once()
    {
        var db = await postgres.CreateDatabaseAsync();
        var runs = new Runs();
        var stopping = await StartWorkerAsync(db, runs);
        var id = await stopping.EnqueueAsync("slow", new EchoPayload("x"));
        await runs.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await using var other = await StartWorkerAsync(db, runs);

        // The stop waits for the job (three leases) within its grace (five); the other server, rescuing every half
        // lease, must find nothing to rescue meanwhile.
        await stopping.DisposeAsync();

        var job = await other.WaitForStateAsync(id, TimeSpan.FromSeconds(10), JobState.Succeeded);
        await Task.Delay(Lease); // a second run, had there been one, would have started by now
        Assert.Equal(1, runs.Count);
        Assert.Equal(1, runs.Finished);
        Assert.Equal(["succeeded"], job.Attempts.Select(a => a.Outcome));
    }

    [Fact]
    public async Task A_grace_the_hosts_stop_cannot_cover_is_refused_at_start()
    {
        var db = await postgres.CreateDatabaseAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddDbContextPool<JobsDbContext>(o => o.UseNpgsql(db));
        builder.Services.AddJobPlatform().AddProcessing(o => o.ShutdownGrace = TimeSpan.FromSeconds(10))
            .AddJob<EchoJob, EchoPayload>("echo");
        builder.Services.AddSingleton(new Executions());
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("ShutdownGrace (10 s)", error.Message);
        Assert.Contains("shutdown timeout (10 s", error.Message);
    }
}
