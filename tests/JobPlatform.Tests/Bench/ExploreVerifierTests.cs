extern alias bench;

using bench::JobPlatform.Benchmarks.Chaos;
using bench::JobPlatform.Benchmarks.Explore;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.Bench;

/// <summary>
/// The explorer's judge of "fencing tokens rise": runs of one job ordered by when their handlers started. A worker
/// that paused between its claim and its handler's start starts a stale run after the job's next claim; that is
/// the limit every lease has, excused only when a pause explains it and the stale run was stopped at once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ExploreVerifierTests(PostgresFixture postgres)
{
    private const string Falling = "fencing token did not rise";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData(true, 50, false)]    // frozen before its start, stopped within 50 ms: excused
    [InlineData(false, 50, true)]    // no pause explains it: tokens went back
    [InlineData(true, 1000, true)]   // paused, but the stale run went on for a second: not stopped at once
    public async Task A_run_with_an_older_token_starting_later_is_excused_only_by_a_pause_and_a_prompt_stop(bool paused, int staleRunMs, bool fails)
    {
        var db = await postgres.CreateDatabaseAsync();
        await using (await EngineHost.StartAsync(db)) { } // the engine's schema
        var data = new ChaosDatabase(db);
        await data.ScalarAsync(FencedEffects.Schema + ExploreJob.Schema + "SELECT 1");
        var (job, t0) = (Guid.NewGuid(), DateTimeOffset.UtcNow.AddMinutes(-1));
        // The job's newer claim (token 10) ran on pid 1; its older claim (token 9) started on pid 2 half a second later.
        await data.ScalarAsync("""
            INSERT INTO explore.runs (job_id, token, type, pid, started_at, stopped_at, told_at, ended_at) VALUES
                ($1, 10, 'explore.work', 1, $2, $2 + interval '1 second', NULL, $2 + interval '1 second'),
                ($1, 9, 'explore.work', 2, $2 + interval '500 ms', $2 + interval '500 ms' + $3 * interval '1 ms', NULL, $2 + interval '500 ms' + $3 * interval '1 ms')
            """, job, t0, staleRunMs);
        var ledger = new ExploreLedger();
        if (paused) ledger.Frozen.Add((2, t0.AddSeconds(-1), t0.AddMilliseconds(400)));

        var failures = await ExploreVerifier.VerifyAsync(data, ledger, Lease);

        Assert.Equal(fails, failures.Any(f => f.Contains(Falling, StringComparison.Ordinal)));
        if (!fails) Assert.Equal(1, ledger.ExcusedFalls);
    }
}
