using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Npgsql;

namespace JobPlatform.Tests.Correctness;

/// <summary>Finding 9 of issue 16: a timeout beyond .NET's timers, and a delay inside the caller's transaction.</summary>
[Collection(PostgresCollection.Name)]
public sealed class EnqueueEdgeTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_timeout_beyond_the_timers_range_is_refused_at_enqueue_and_a_stored_one_does_not_break_the_attempt()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var worker = await EngineHost.StartEchoWorkerAsync(db);
        var error = await Assert.ThrowsAsync<JobValidationException>(() =>
            worker.EnqueueAsync("echo", new EchoPayload("x"), new EnqueueOptions { Timeout = TimeSpan.FromDays(60) }));
        Assert.Contains("at most 49 days", error.Message);
        Assert.Equal("timeout", error.Field);
        Assert.Equal(0, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.jobs"));

        // Written behind the client's back (an older version, a hand-made row): the attempt still runs and ends.
        await worker.WithClientAsync(async c => { await c.PauseQueueAsync("default"); return 0; });
        var id = await worker.EnqueueAsync("echo", new EchoPayload("long timeout"));
        await Sql.ExecuteAsync(db, $"UPDATE jobplatform.jobs SET timeout = interval '60 days' WHERE id = '{id}'");
        await worker.WithClientAsync(async c => { await c.ResumeQueueAsync("default"); return 0; });
        await worker.WaitForStateAsync(id, TimeSpan.FromSeconds(10), JobState.Succeeded);
    }

    [Fact]
    public async Task A_delay_inside_a_transaction_counts_from_the_enqueue_not_from_the_transactions_start()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var client = await EngineHost.StartEchoWorkerAsync(db, o => o.Queues = ["nobody-listens"]);
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var first = new NpgsqlCommand("SELECT 1", connection, transaction)) await first.ExecuteScalarAsync(); // the transaction starts
        await Task.Delay(TimeSpan.FromSeconds(2));

        var enqueuedAt = await Sql.ScalarAsync(db, "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint");
        var enqueued = await client.WithClientAsync(c =>
            c.EnqueueAsync(transaction, "echo", new EchoPayload("later"), new EnqueueOptions { Delay = TimeSpan.FromSeconds(3) }));
        await transaction.CommitAsync();

        var dueAt = await Sql.ScalarAsync(db, $"SELECT (extract(epoch FROM run_at) * 1000)::bigint FROM jobplatform.jobs WHERE id = '{enqueued.Id}'");
        Assert.InRange(dueAt - enqueuedAt, 3000, 3500);
        Assert.Equal(JobState.Scheduled, (await client.WithClientAsync(c => c.GetAsync(enqueued.Id)))!.State);
    }
}
