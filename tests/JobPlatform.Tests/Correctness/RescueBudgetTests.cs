using System.Diagnostics;
using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.Correctness;

/// <summary>
/// Step 2 of issue 16: a worker's death is not the job's failure. A job whose lease ran out is run again without
/// spending an attempt, up to its rescue budget; past it the job fails, naming the leases it lost.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RescueBudgetTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_lost_lease_spends_no_attempt_and_a_job_that_keeps_losing_its_worker_fails_after_its_budget()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var host = await EngineHost.StartEchoWorkerAsync(db, o => o.Queues = ["nobody-listens"]);
        var id = await host.EnqueueAsync("echo", new EchoPayload("poison"), new EnqueueOptions { MaxAttempts = 1, MaxRescues = 2 });

        // Three servers in turn claim the job and die (their leases are made to run out at once).
        var lost = 0;
        foreach (var server in new[] { "srv-a", "srv-b", "srv-c" })
        {
            Assert.Single(await host.WithStoreAsync(s => s.ClaimAsync(server, "default", ["echo"], 1, TimeSpan.FromMinutes(1), CancellationToken.None)));
            await Sql.ExecuteAsync(db, $"UPDATE jobplatform.jobs SET lease_expires_at = now() - interval '1 second' WHERE id = '{id}'");
            // This rescue, or the host's own rescuer if it came first (a flaky run once had it so): either way once.
            await host.WithStoreAsync(s => s.RescueExpiredAsync(CancellationToken.None));
            lost++;
            var rescued = Stopwatch.StartNew(); // the host's rescue may still be committing (ours skipped its locked row)
            while (await Sql.ScalarAsync(db, $"SELECT count(*) FROM jobplatform.job_attempts WHERE job_id = '{id}' AND outcome = 'rescued'") < lost)
            {
                Assert.True(rescued.Elapsed < TimeSpan.FromSeconds(10), $"lost lease {lost} was never rescued");
                await Task.Delay(20);
            }
            var job = (await host.WithClientAsync(c => c.GetAsync(id)))!;
            if (server != "srv-c")
            {
                // Run again, the attempt unspent, though the job allows only one.
                Assert.Equal((JobState.Enqueued, 0), (job.State, job.Attempt));
                Assert.Contains($"The lease of {server} expired", job.Error);
            }
            else
            {
                Assert.Equal(JobState.Failed, job.State);
                Assert.Equal(3, job.Rescues);
                Assert.Contains("Lost its worker 3 times, more than its rescue budget of 2", job.Error);
                Assert.Contains("srv-a (attempt 1), srv-b (attempt 1), srv-c (attempt 1)", job.Error);
                Assert.Equal(["rescued", "rescued", "rescued"], job.Attempts.Select(a => a.Outcome));
                Assert.Equal(["srv-a", "srv-b", "srv-c"], job.Attempts.Select(a => a.Server));
            }
        }
    }

    [Fact]
    public async Task The_type_gives_the_default_budget_and_a_job_may_set_its_own()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var host = await EngineHost.StartEchoWorkerAsync(db);
        var byDefault = await host.EnqueueAsync("echo", new EchoPayload("a"), new EnqueueOptions { Queue = "nobody-listens" });
        var own = await host.EnqueueAsync("echo", new EchoPayload("b"), new EnqueueOptions { Queue = "nobody-listens", MaxRescues = 0 });
        Assert.Equal(3, (await host.WithClientAsync(c => c.GetAsync(byDefault)))!.MaxRescues);
        Assert.Equal(0, (await host.WithClientAsync(c => c.GetAsync(own)))!.MaxRescues);
        Assert.Equal("maxRescues", (await Assert.ThrowsAsync<JobValidationException>(() => host.EnqueueAsync("echo", new EchoPayload("c"), new EnqueueOptions { MaxRescues = -1 }))).Field);
    }

    /// <summary>The seed's long-running-job allows no retry; a killed worker must not fail it.</summary>
    [Fact]
    public async Task A_long_running_job_whose_worker_is_killed_succeeds_on_another_worker()
    {
        var db = await postgres.CreateDatabaseAsync();
        var lease = TimeSpan.FromSeconds(3);
        await using var client = await EngineHost.StartAsync(db); // migrates
        using var doomed = WorkerProcess.Start(db, "doomed", lease);
        Process? survivor = null;
        try
        {
            await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.job_types WHERE name = 'long-running-job'", 1);
            var id = await client.EnqueueAsync("long-running-job", new { seconds = 3 });
            await Sql.WaitUntilAsync(db, $"SELECT count(*) FROM jobplatform.jobs WHERE id = '{id}' AND lease_owner = 'doomed'", 1);

            doomed.Kill(); // SIGKILL: no goodbye, no release
            await doomed.WaitForExitAsync();
            survivor = WorkerProcess.Start(db, "survivor", lease);

            var job = await client.WaitForStateAsync(id, TimeSpan.FromSeconds(60), JobState.Succeeded, JobState.Failed);
            Assert.True(job.State == JobState.Succeeded, $"the job ended {job.State}: {job.Error}");
            Assert.Equal((1, 1, 1), (job.Attempt, job.MaxAttempts, job.Rescues));
            Assert.Equal([("rescued", "doomed"), ("succeeded", "survivor")], job.Attempts.Select(a => (a.Outcome, a.Server!)));
        }
        finally
        {
            if (!doomed.HasExited) doomed.Kill();
            if (survivor is { HasExited: false }) survivor.Kill();
            survivor?.Dispose();
        }
    }
}
