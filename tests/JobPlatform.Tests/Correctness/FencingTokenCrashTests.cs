using JobPlatform.AppHost.Local;
using JobPlatform.Jobs.Storage;
using JobPlatform.Testing;
using JobPlatform.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace JobPlatform.Tests.Correctness;

/// <summary>
/// Finding 6 of issue 16: fencing tokens rise with every claim, whatever crashes. A claim commits without waiting for
/// the WAL flush, and the token sequence's advance is durable only with it: a PostgreSQL crash within the WAL writer's
/// window used to hand the same token out again, while the handler holding it from before the crash still ran.
/// </summary>
public sealed class FencingTokenCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_claim_after_a_crash_gets_a_higher_token_than_any_claim_before_it()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        // Durable, as in production, but with a WAL writer that flushes a claim's commit only after ten seconds.
        await using var cluster = await LocalPostgresCluster.StartAsync(PostgresBinaries.Find()!, cts.Token, durable: true,
            settings: ["wal_writer_delay=10s", "wal_writer_flush_after=0"]);
        var db = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Pooling = true }.ConnectionString;
        await using var host = await EngineHost.StartAsync(db); // a client only: nothing claims or commits behind the test's back
        await host.WithStoreAsync(async s =>
        {
            await s.UpsertJobTypesAsync("test", [new JobTypeRecord { Name = "echo", Queue = "default", MaxAttempts = 3, PayloadSchema = "{}" }], CancellationToken.None);
            return 0;
        });

        for (var round = 0; round < 3; round++)
        {
            var id = await host.EnqueueAsync("echo", "{}"); // committed durably
            var before = Assert.Single(await host.WithStoreAsync(s => s.ClaimAsync("before-crash", "default", ["echo"], 1, TimeSpan.FromMinutes(1), CancellationToken.None)));

            await cluster.StopAsync(immediate: true, cts.Token);
            await cluster.StartAgainAsync(cts.Token);
            NpgsqlConnection.ClearAllPools();

            var claimedAgain = await host.WithStoreAsync(s => s.ClaimAsync("after-crash", "default", ["echo"], 10, TimeSpan.FromMinutes(1), CancellationToken.None));
            var after = await Sql.ScalarAsync(db, "SELECT nextval('jobplatform.fencing_tokens')");
            output.WriteLine($"round {round}: token {before.FencingToken} before the crash; the claim {(claimedAgain.Any(j => j.Id == id) ? "was lost" : "survived")}; " +
                             $"next token after it {after}");
            Assert.True(after > before.FencingToken, $"round {round}: token {after} after the crash, {before.FencingToken} before it");
            Assert.All(claimedAgain, job => Assert.True(job.FencingToken > before.FencingToken));
            await Sql.ExecuteAsync(db, "UPDATE jobplatform.jobs SET state = 'succeeded', lease_owner = NULL, lease_expires_at = NULL, finished_at = now()");
        }
    }
}
