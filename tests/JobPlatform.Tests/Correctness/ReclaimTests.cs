using System.Diagnostics;
using JobPlatform.Jobs;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Processing;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Correctness;

/// <summary>
/// Finding 1 of issue 16: a server whose attempt lost its lease, and which then claims the same job again, must
/// stop the old attempt and keep renewing the new one. Its running attempts were keyed by job id alone, so the
/// second claim overwrote the first: the old handler went on unseen, and when it ended it removed the new one.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReclaimTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    /// <summary>Run 1 waits until it is cancelled; run 2 waits until the test lets it finish.</summary>
    public sealed class TwoRuns
    {
        public readonly TaskCompletionSource FirstStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource SecondStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource SecondMayEnd = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Runs;
    }

    public sealed class TwoRunsJob(TwoRuns runs) : IJob<EchoPayload>
    {
        public async Task ExecuteAsync(EchoPayload payload, JobContext context, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref runs.Runs) == 1)
            {
                try { await Task.Delay(Timeout.Infinite, cancellationToken); }
                finally { runs.FirstStopped.TrySetResult(); }
            }
            runs.SecondStarted.TrySetResult();
            await runs.SecondMayEnd.Task.WaitAsync(cancellationToken);
        }
    }

    [Fact]
    public async Task A_server_that_claims_again_a_job_it_lost_stops_the_old_attempt_and_keeps_renewing_the_new_one()
    {
        var db = await postgres.CreateDatabaseAsync();
        var runs = new TwoRuns();
        await using var worker = await EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(runs);
            jobs.AddJob<TwoRunsJob, EchoPayload>("two-runs");
        }, o => o.LeaseDuration = Lease);
        var id = await worker.EnqueueAsync("two-runs", new EchoPayload("x"));
        await worker.WaitForStateAsync(id, TimeSpan.FromSeconds(20), JobState.Processing);
        var firstToken = await Sql.ScalarAsync(db, $"SELECT fencing_token FROM jobplatform.jobs WHERE id = '{id}'");

        // What a rescue leaves behind (the lease ran out while this server was paused, say): the job is claimable,
        // and this same server, the only one, claims it again with a new token.
        await Sql.ExecuteAsync(db, $"""
            UPDATE jobplatform.jobs SET state = 'enqueued', attempt = attempt - 1, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = '{id}';
            SELECT pg_notify('jobplatform_enqueued', '');
            """);
        await runs.SecondStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var secondToken = await Sql.ScalarAsync(db, $"SELECT fencing_token FROM jobplatform.jobs WHERE id = '{id}'");
        Assert.True(secondToken > firstToken);

        // The old attempt is no longer this server's: its handler is stopped at the next renewal (a third of a lease).
        await runs.FirstStopped.Task.WaitAsync(TimeSpan.FromSeconds(5));

        // The new attempt keeps its lease for as long as it runs: two whole leases later it is still the same claim.
        await Task.Delay(Lease * 2);
        Assert.Equal(secondToken, await Sql.ScalarAsync(db, $"SELECT fencing_token FROM jobplatform.jobs WHERE id = '{id}' AND state = 'processing' AND lease_expires_at > now()"));
        Assert.Equal(1, worker.Services.GetRequiredService<RunningJobs>().Count);

        runs.SecondMayEnd.TrySetResult();
        var job = await worker.WaitForStateAsync(id, TimeSpan.FromSeconds(10), JobState.Succeeded);
        Assert.Equal(2, runs.Runs);
        Assert.Equal("succeeded", job.Attempts[^1].Outcome);
        Assert.DoesNotContain(job.Attempts, a => a.Outcome == "rescued" && a.FinishedAt > job.Attempts[^1].StartedAt);
    }

    [Fact]
    public async Task A_claim_whose_answer_came_after_its_lease_ran_out_does_not_start_its_handler()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var worker = await EngineHost.StartEchoWorkerAsync(db, o => (o.LeaseDuration, o.Queues) = (Lease, ["nobody-listens"]));
        var id = await worker.EnqueueAsync("echo", new EchoPayload("late"));
        var claimed = Assert.Single(await worker.WithStoreAsync(s => s.ClaimAsync("late-answer", "default", ["echo"], 1, Lease, CancellationToken.None)));

        // The claim was sent a whole lease ago (the network held its answer): by now another server may have the job.
        var sentLongAgo = TimeProvider.System.GetTimestamp() - (long)(Lease.TotalSeconds * TimeProvider.System.TimestampFrequency);
        await worker.Services.GetRequiredService<JobExecutor>().ExecuteAsync(claimed, sentLongAgo, CancellationToken.None);

        Assert.Empty(worker.Services.GetRequiredService<Executions>().Runs);
        var job = (await worker.WithClientAsync(c => c.GetAsync(id)))!;
        Assert.Equal((JobState.Enqueued, 0), (job.State, job.Attempt)); // given back, the attempt unspent
    }
}
