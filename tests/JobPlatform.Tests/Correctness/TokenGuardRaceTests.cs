using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.Correctness;

/// <summary>
/// A claim finds the fencing-token guard missing (PostgreSQL lost it in a crash) but another server restores it
/// before the claim's own statement runs: that statement claims jobs, with guarded tokens. The claimer took the
/// missing guard to mean nothing was claimed, restored it and claimed again, and dropped the first jobs: they stayed
/// claimed by a server that never ran them until their lease ran out (seen in CI as a job stuck in processing for a
/// whole lease, on a fresh database, where every claim loop finds the guard missing at once).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TokenGuardRaceTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Jobs_claimed_after_another_server_restored_the_guard_are_handed_to_the_claimer()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var client = await EngineHost.StartAsync(db); // no processing: nothing else claims or guards
        await JobTypeLock.RegisterAsync(client, new JobTypeRecord { Name = "limited", Queue = "default", MaxAttempts = 1, PayloadSchema = "{}", ConcurrencyLimit = 5 });
        var id = await client.EnqueueAsync("limited", new EchoPayload("x"));
        await Sql.ExecuteAsync(db, "DELETE FROM jobplatform.token_guard");

        // The claim sees the guard missing, then waits on the limited type's row, which this transaction holds.
        await using var typeLock = await JobTypeLock.HoldAsync(db, "limited");
        var claim = client.WithStoreAsync(s => s.ClaimAsync("claimer", "default", ["limited"], 1, TimeSpan.FromSeconds(30), CancellationToken.None));
        await typeLock.WaitForWaiterAsync();

        // Meanwhile another server restores the guard; then the claim goes on.
        await Sql.ExecuteAsync(db, "INSERT INTO jobplatform.token_guard (id) VALUES (1)");
        await typeLock.ReleaseAsync();

        var claimed = Assert.Single(await claim.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(id, claimed.Id);
        Assert.Equal(claimed.FencingToken, await Sql.ScalarAsync(db, $"SELECT fencing_token FROM jobplatform.jobs WHERE id = '{id}' AND state = 'processing' AND lease_owner = 'claimer'"));
    }
}
