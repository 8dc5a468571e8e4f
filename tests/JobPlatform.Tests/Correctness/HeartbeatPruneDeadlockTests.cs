using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Infrastructure;
using Npgsql;

namespace JobPlatform.Tests.Correctness;

/// <summary>
/// After an outage longer than three leases (PostgreSQL restarting, the network cut) every server's last heartbeat
/// is stale, and they all come back at once. Each heartbeat writes its own server row, then prunes the stale rows —
/// among them the other servers' rows, which those servers' heartbeats hold. Two such heartbeats waited on each other
/// and PostgreSQL aborted one (40P01), seen in the explorer (seeds 465 and 466, a PostgreSQL restart of 6.7 s with
/// a lease of 2 s). The interleaving is forced here: a third session holds a stale row both prunes reach first.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class HeartbeatPruneDeadlockTests(PostgresFixture postgres)
{
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(1);
    private static readonly JobTypeRecord Declared = new() { Name = "t", Queue = "default", PayloadSchema = "{}", ConcurrencyLimit = 1 };

    [Fact]
    public async Task Servers_back_from_an_outage_prune_each_other_without_deadlocking()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var host = await EngineHost.StartAsync(db); // no processing: no heartbeat but the test's
        // Inserted in this order, so a sequential scan meets the held row first; all three silent for two minutes.
        foreach (var server in new[] { "held", "a", "b" })
            await Sql.ExecuteAsync(db, $"""
                INSERT INTO jobplatform.servers (id, host, queues, concurrency, in_flight, started_at, heartbeat_at)
                VALUES ('{server}', 'h', ARRAY['default'], 1, 0, now(), now() - interval '2 minutes');
                INSERT INTO jobplatform.job_type_declarations (type, server, concurrency_limit, seen_at)
                VALUES ('t', '{server}', 1, now() - interval '2 minutes')
                """);

        await using var holder = new NpgsqlConnection(db);
        await holder.OpenAsync();
        var hold = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM jobplatform.servers WHERE id = 'held' FOR UPDATE", holder, hold))
            await lockRow.ExecuteNonQueryAsync();

        // b writes its row and, pruning, waits on the held row (or, pruning without waiting, is done).
        var b = Heartbeat(host, "b");
        await WaitUntilWaitingOrDone(db, b, 1);
        // a writes its row and, pruning, waits likewise; then the held row is let go and both prunes go on to the
        // other's row.
        var a = Heartbeat(host, "a");
        await WaitUntilWaitingOrDone(db, a, b.IsCompleted ? 1 : 2);
        await hold.CommitAsync();

        await Task.WhenAll(a, b).WaitAsync(TimeSpan.FromSeconds(30)); // a deadlock fails one of them with 40P01
        await Heartbeat(host, "a"); // the held row, let go, is pruned now
        Assert.Equal(["a", "b"], await Sql.StringsAsync(db, "SELECT id FROM jobplatform.servers ORDER BY id"));
        Assert.Equal(["a", "b"], await Sql.StringsAsync(db, "SELECT server FROM jobplatform.job_type_declarations ORDER BY server"));
    }

    private static Task Heartbeat(EngineHost host, string server) => host.WithStoreAsync(async s =>
    {
        await s.HeartbeatAsync(new ServerRecord { Id = server, Host = "h", Queues = ["default"] }, [Declared], ForgetAfter, CancellationToken.None);
        return 0;
    });

    /// <summary>Until <paramref name="waiters"/> sessions wait on a lock, or the heartbeat has ended.</summary>
    private static async Task WaitUntilWaitingOrDone(string db, Task heartbeat, int waiters)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!heartbeat.IsCompleted && DateTime.UtcNow < deadline
               && await Sql.ScalarAsync(db, Sql.LockWaiters) < waiters)
            await Task.Delay(20);
    }
}
