using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Npgsql;

namespace JobPlatform.Tests.Correctness;

/// <summary>
/// The rescuer locked the expired jobs, but decided each one's fate from a second, unlocked read of the job, as of
/// its statement's start: a cancel committed in between was locked in but not read, and the cancelled job was
/// enqueued again, to run (found by review). The interleaving is forced with a <c>now()</c> that waits on an
/// advisory lock: the rescue statement has its snapshot, and has not locked the job yet, when the cancel commits.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RescueCancelRaceTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_cancel_committed_while_the_rescue_statement_runs_ends_the_job_cancelled()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var client = await EngineHost.StartAsync(db); // no processing: the test claims and rescues
        await JobTypeLock.RegisterAsync(client, new JobTypeRecord { Name = "t", Queue = "q", MaxAttempts = 1, PayloadSchema = "{}" });
        var id = await client.EnqueueAsync("t", new EchoPayload("x"), new EnqueueOptions { Queue = "q" });
        await client.GuardFencingTokensAsync(); // the claim below runs once, not again after guarding
        Assert.Single(await client.WithStoreAsync(s => s.ClaimAsync("dead", "q", ["t"], 1, TimeSpan.FromSeconds(30), CancellationToken.None)));
        await Sql.ExecuteAsync(db, $"""
            UPDATE jobplatform.jobs SET lease_expires_at = now() - interval '1 second' WHERE id = '{id}';
            CREATE SCHEMA hook;
            CREATE FUNCTION hook.now() RETURNS timestamptz LANGUAGE plpgsql VOLATILE AS $$
            BEGIN
                PERFORM pg_advisory_lock_shared(42);
                PERFORM pg_advisory_unlock_shared(42);
                RETURN pg_catalog.now();
            END $$;
            """);
        var hooked = new NpgsqlConnectionStringBuilder(db) { SearchPath = "hook,pg_catalog" }.ConnectionString;
        await using var rescuer = await EngineHost.StartAsync(hooked);

        await using var gate = new NpgsqlConnection(db);
        await gate.OpenAsync();
        await using (var hold = new NpgsqlCommand("SELECT pg_advisory_lock(42)", gate)) await hold.ExecuteNonQueryAsync();
        var rescue = rescuer.WithStoreAsync(s => s.RescueExpiredAsync(CancellationToken.None));
        await Sql.WaitForLockWaitersAsync(db);

        Assert.Equal(CancelOutcome.CancellationRequested, await client.WithClientAsync(c => c.CancelAsync(id)));
        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock(42)", gate)) await release.ExecuteNonQueryAsync();

        Assert.Equal(1, await rescue.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(["cancelled"], await Sql.StringsAsync(db, $"SELECT state FROM jobplatform.jobs WHERE id = '{id}'"));
        Assert.Empty(await client.WithStoreAsync(s => s.ClaimAsync("other", "q", ["t"], 1, TimeSpan.FromSeconds(30), CancellationToken.None)));
    }
}
