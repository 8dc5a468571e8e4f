extern alias bench;

using bench::JobPlatform.Benchmarks.Chaos;
using bench::JobPlatform.Benchmarks.Explore;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Testing;
using JobPlatform.Tests.Infrastructure;
using Npgsql;

namespace JobPlatform.Tests.Bench;

/// <summary>
/// The explorer's own handler: the run log it keeps is what the explorer judges "one live attempt" by, so a stop
/// it records late would be reported as an overlap the engine did not cause.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ExploreJobTests(PostgresFixture postgres)
{
    /// <param name="cutBeforeStart">Cut before the run could log its start (with a connection to open), or during its work.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_run_blocked_on_a_silent_network_logs_its_stop_when_it_was_told_to_stop(bool cutBeforeStart)
    {
        var db = await postgres.CreateDatabaseAsync();
        var data = new ChaosDatabase(db);
        await data.ScalarAsync(FencedEffects.Schema + ExploreJob.Schema + "SELECT 1");
        var direct = new NpgsqlConnectionStringBuilder(db);
        await using var proxy = new PartitionProxy(direct.Host!, direct.Port);
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(db) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString);
        var context = new JobContext(Guid.NewGuid(), ExploreJob.Work, "default", attempt: 1, maxAttempts: 5, tags: []) { FencingToken = 7 };
        using var cancellation = new CancellationTokenSource();

        if (cutBeforeStart) proxy.Cut();
        var run = new ExploreJob(dataSource).ExecuteAsync(new ExplorePayload(WorkMs: 300), context, cancellation.Token);
        if (!cutBeforeStart)
        {
            await Sql.WaitUntilAsync(db, "SELECT count(*) FROM explore.runs", 1, TimeSpan.FromSeconds(10));
            proxy.Cut();
        }
        await Task.Delay(800); // the run waits on the silent network: for its effect, or (cut before it began) to log its start

        // As the engine stops a handler whose lease is running out: without waiting for the callbacks.
        var told = DateTimeOffset.UtcNow;
        _ = cancellation.CancelAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        proxy.Heal();
        try { await run; } catch (Exception) { } // whether the effect went through after the heal does not matter here

        // Its start reached the log before the cut, or only with its stop: the log knows the run either way.
        await Sql.WaitUntilAsync(db, "SELECT count(*) FROM explore.runs WHERE stopped_at IS NOT NULL AND told_at IS NOT NULL", 1, TimeSpan.FromSeconds(30));
        var lateMs = await data.ScalarAsync("SELECT (extract(epoch FROM stopped_at - $1) * 1000)::bigint FROM explore.runs", told);
        Assert.True(lateMs is >= 0 and <= 250, $"the stop was logged {lateMs} ms after the run was told to stop");
    }
}
