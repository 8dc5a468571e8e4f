using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Npgsql;

namespace JobPlatform.Tests.Correctness;

/// <summary>
/// The continuation sweep (a rescuer's safety net) found a continuation waiting on an ended parent while someone
/// cancelled it; it waited for the cancel's lock, then rechecked only the row it updated, not the state it had
/// read, and moved the cancelled continuation to enqueued: a cancelled job ran.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ContinuationSweepRaceTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_continuation_cancelled_while_the_sweep_waits_on_it_stays_cancelled()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var host = await EngineHost.StartAsync(db);
        await JobTypeLock.RegisterAsync(host, new JobTypeRecord { Name = "t", Queue = "default", MaxAttempts = 1, PayloadSchema = "{}" });
        var parent = await host.EnqueueAsync("t", new EchoPayload("parent"), new EnqueueOptions { Delay = TimeSpan.FromHours(1) });
        var child = await host.EnqueueAsync("t", new EchoPayload("child"), new EnqueueOptions { ContinueAfter = parent });
        // The parent ends without releasing its continuation (its server died between): the sweep's work.
        await Sql.ExecuteAsync(db, $"UPDATE jobplatform.jobs SET state = 'succeeded', finished_at = now() WHERE id = '{parent}'");

        await using var canceller = new NpgsqlConnection(db);
        await canceller.OpenAsync();
        await using var cancel = await canceller.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(
            $"UPDATE jobplatform.jobs SET state = 'cancelled', finished_at = now(), error = 'cancelled by a test' WHERE id = '{child}'", canceller, cancel))
            await command.ExecuteNonQueryAsync();

        var sweep = host.WithStoreAsync(s => s.ReleaseContinuationsAsync(null, CancellationToken.None));
        await Sql.WaitForLockWaitersAsync(db);
        await cancel.CommitAsync();
        await sweep.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["cancelled"], await Sql.StringsAsync(db, $"SELECT state FROM jobplatform.jobs WHERE id = '{child}'"));
    }
}
