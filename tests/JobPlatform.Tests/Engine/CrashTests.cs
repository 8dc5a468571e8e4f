using System.Diagnostics;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.Engine;

/// <summary>
/// Real worker processes (JobPlatform.TestWorker) on one database: one is killed with SIGKILL in the middle
/// of thousands of jobs, two others finish the work side by side.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CrashTests(PostgresFixture postgres)
{
    private const int Jobs = 3000;

    [Fact]
    public async Task Killed_worker_loses_no_job_and_no_attempt_runs_twice()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using (await EngineHost.StartAsync(db)) { } // migrate
        await Sql.ExecuteAsync(db, "CREATE TABLE side_effects (job_id uuid NOT NULL, token bigint NOT NULL, pid int NOT NULL)");

        var workers = new List<Process>();
        try
        {
            var doomed = StartWorker(db);
            workers.Add(doomed);
            await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.job_types WHERE name = 'side-effect'", 1);
            await using (var host = await EngineHost.StartAsync(db))
                await host.WithClientAsync(c => c.EnqueueManyAsync("side-effect", Enumerable.Range(0, Jobs).Select(i => $"{{\"number\": {i}}}")));

            await Sql.WaitUntilAsync(db, "SELECT count(*) FROM side_effects", Jobs / 4);
            doomed.Kill(); // SIGKILL: no shutdown, no release; its leases must expire
            await doomed.WaitForExitAsync();
            var claimedByTheDead = await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE state = 'processing'");

            workers.Add(StartWorker(db));
            workers.Add(StartWorker(db));
            await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE state IN ('succeeded','failed','cancelled')", Jobs, TimeSpan.FromSeconds(120));

            Assert.Equal(Jobs, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE state = 'succeeded'"));
            Assert.Equal(0, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE lease_owner IS NOT NULL OR lease_expires_at IS NOT NULL"));
            // Two servers never ran the same claim: each (job, fencing token) left one side effect at most.
            Assert.Equal(0, await Sql.ScalarAsync(db, "SELECT count(*) FROM (SELECT 1 FROM side_effects GROUP BY job_id, token HAVING count(*) > 1) d"));
            Assert.Equal(Jobs, await Sql.ScalarAsync(db, "SELECT count(DISTINCT job_id) FROM side_effects"));
            // Both survivors worked, and the dead worker's claims were rescued, not lost.
            Assert.Equal(3, await Sql.ScalarAsync(db, "SELECT count(DISTINCT pid) FROM side_effects"));
            Assert.True(claimedByTheDead > 0, "the kill landed while no job was claimed; the test proved nothing");
            Assert.Equal(claimedByTheDead, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.job_attempts WHERE outcome = 'rescued'"));
        }
        finally
        {
            foreach (var worker in workers.Where(w => !w.HasExited)) worker.Kill();
            foreach (var worker in workers) worker.Dispose();
        }
    }

    private static Process StartWorker(string db) => TestWorkerProcess.Start(db, "2");
}
