using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Npgsql;

namespace JobPlatform.Tests.Correctness;

/// <summary>
/// Limits that change while claims hold the limited types' locks (a rolling deploy, a server pruned and back):
/// the limits in force must end as the live servers declare them, and no claim may count a type it has not locked.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LimitRaceTests(PostgresFixture postgres)
{
    private static JobTypeRecord Type(string name, int? limit) =>
        new() { Name = name, Queue = "default", MaxAttempts = 1, PayloadSchema = "{}", ConcurrencyLimit = limit };

    private static Task Declare(EngineHost host, string server, params JobTypeRecord[] types) =>
        host.WithStoreAsync(async s =>
        {
            await s.UpsertJobTypesAsync(server, types, CancellationToken.None);
            return 0;
        });

    /// <summary>
    /// An application of limits read the declarations before it waited for the types' locks: a newer application
    /// that committed while it waited was undone, and the limit that server had just declared stayed lifted.
    /// </summary>
    [Fact]
    public async Task An_application_of_limits_that_waited_for_a_lock_does_not_undo_a_newer_one()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var host = await EngineHost.StartAsync(db);
        await Declare(host, "gone", Type("t1", 1), Type("t2", 1));

        // The leaving server's declarations go; applying what is left waits on t1, which a claim holds.
        await using var claimLock = await JobTypeLock.HoldAsync(db, "t1");
        var leave = host.WithStoreAsync(async s =>
        {
            await s.RemoveServerAsync("gone", CancellationToken.None);
            return 0;
        });
        await claimLock.WaitForWaiterAsync();
        // Meanwhile another server declares a limit of 2 for t2, and applies it.
        await Declare(host, "a", Type("t2", 2));
        Assert.Equal(2, await Sql.ScalarAsync(db, "SELECT concurrency_limit FROM jobplatform.job_types WHERE name = 't2'"));

        await claimLock.ReleaseAsync();
        await leave.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["t1:", "t2:2"], await Sql.StringsAsync(db,
            "SELECT name || ':' || COALESCE(concurrency_limit::text, '') FROM jobplatform.job_types ORDER BY name"));
    }

    /// <summary>
    /// A claim locks the limited types' rows, then counts their running jobs in a statement of its own. A type
    /// limited in between (its limit applied while the lock statement waited) was counted without its lock: a claim
    /// in progress on another server was invisible, and both took a job under a limit of one.
    /// </summary>
    [Fact]
    public async Task A_claim_takes_no_job_of_a_type_limited_after_its_lock_statement_began()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var host = await EngineHost.StartAsync(db);
        await Declare(host, "registrar", Type("a", 5), Type("b", null));
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++) ids.Add(await host.EnqueueAsync("b", new EchoPayload($"{i}")));
        await host.GuardFencingTokensAsync(); // the claim below runs once, not again after guarding

        // The claim's lock statement waits on a, held by another claimer; b is unlimited in its snapshot.
        await using var typeLock = await JobTypeLock.HoldAsync(db, "a");
        var claim = host.WithStoreAsync(s => s.ClaimAsync("claimer", "default", ["a", "b"], 10, TimeSpan.FromSeconds(30), CancellationToken.None));
        await typeLock.WaitForWaiterAsync();

        // Then b gets a limit of one, and another server's claim, holding b's lock, takes one b job: not committed yet.
        await Declare(host, "strict", Type("b", 1));
        await using var other = new NpgsqlConnection(db);
        await other.OpenAsync();
        await using var otherClaim = await other.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand($"""
            SELECT 1 FROM jobplatform.job_types WHERE name = 'b' FOR UPDATE;
            UPDATE jobplatform.jobs
            SET state = 'processing', attempt = attempt + 1, started_at = now(), lease_owner = 'other',
                lease_expires_at = now() + interval '30 seconds', fencing_token = nextval('jobplatform.fencing_tokens')
            WHERE id = '{ids[0]}'
            """, other, otherClaim))
            await take.ExecuteNonQueryAsync();

        await typeLock.ReleaseAsync();
        var claimed = await claim.WaitAsync(TimeSpan.FromSeconds(10));
        await otherClaim.CommitAsync();

        Assert.Empty(claimed);
        Assert.Equal(1, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE type = 'b' AND state = 'processing'"));
    }
}
