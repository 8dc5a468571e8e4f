using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Processing;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace JobPlatform.Tests.Correctness;

/// <summary>
/// Finding 3 of issue 16: a caller's open transaction holds up nothing of the engine's own. Enqueuing a
/// continuation in a transaction used to lock its parent FOR SHARE until the caller committed; the parent's lease
/// renewal and its completion then waited on that lock, and after a lease every job of the server was stopped.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OpenCallerTransactionTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_continuation_enqueued_in_an_open_transaction_blocks_neither_its_parents_renewals_nor_its_completion()
    {
        var db = await postgres.CreateDatabaseAsync();
        var gate = new Gate();
        var executions = new Executions();
        var parentMayEnd = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = await EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(gate).AddSingleton(executions).AddSingleton(parentMayEnd);
            jobs.AddJob<WaitForTestJob, EchoPayload>("wait-for-test");
            jobs.AddJob<EchoJob, EchoPayload>("echo");
        }, o => o.LeaseDuration = Lease);
        var parent = await worker.EnqueueAsync("wait-for-test", new EchoPayload("parent"));
        await gate.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var token = await Sql.ScalarAsync(db, $"SELECT fencing_token FROM jobplatform.jobs WHERE id = '{parent}'");

        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var enqueued = await worker.WithClientAsync(c =>
            c.EnqueueAsync(transaction, "echo", new EchoPayload("child"), new EnqueueOptions { ContinueAfter = parent }));
        var child = enqueued.Id;

        // Two leases with the caller's transaction open: the parent's lease is renewed all along.
        await Task.Delay(Lease * 2);
        Assert.False(gate.Cancelled.Task.IsCompleted, "the parent's handler was stopped: its lease was not renewed");
        Assert.Equal(1, await Sql.ScalarAsync(db, $"SELECT count(*) FROM jobplatform.jobs WHERE id = '{parent}' AND fencing_token = {token} AND lease_expires_at > now()"));

        // The parent ends, and its completion is written, while the caller's transaction is still open.
        parentMayEnd.TrySetResult();
        await worker.WaitForStateAsync(parent, TimeSpan.FromSeconds(5), JobState.Succeeded);

        // The caller commits after the parent has ended: the continuation still runs.
        await transaction.CommitAsync();
        await worker.WaitForStateAsync(child, TimeSpan.FromSeconds(10), JobState.Succeeded);
        Assert.Single(executions.Runs, r => r.JobId == child);
        Assert.Empty(worker.Services.GetRequiredService<RunningJobs>().Attempts);
    }

    [Fact]
    public async Task A_continuation_whose_parent_ended_while_the_callers_transaction_was_open_is_moved_on_at_the_commit()
    {
        var db = await postgres.CreateDatabaseAsync();
        // A long lease: the rescuer's sweep, every half lease, does not come round during the test.
        await using var worker = await EngineHost.StartEchoWorkerAsync(db, o =>
        {
            o.LeaseDuration = TimeSpan.FromMinutes(2);
            o.Queues = ["nobody-listens"];
        });
        var parent = await worker.EnqueueAsync("echo", new EchoPayload("parent"));
        var claimed = Assert.Single(await worker.WithStoreAsync(s => s.ClaimAsync("s", "default", ["echo"], 1, TimeSpan.FromMinutes(1), CancellationToken.None)));

        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var enqueued = await worker.WithClientAsync(c => c.EnqueueAsync(transaction, "echo", new EchoPayload("child"),
            new EnqueueOptions { ContinueAfter = parent, Queue = "children" }));
        Assert.True(await worker.WithStoreAsync(s => s.CompleteAsync(parent, claimed.FencingToken, "s", CancellationToken.None)));
        await transaction.CommitAsync();

        await worker.WaitForStateAsync(enqueued.Id, TimeSpan.FromSeconds(5), JobState.Enqueued);
    }

    /// <summary>Reports it started, then waits until the test lets it end (or it is cancelled).</summary>
    public sealed class WaitForTestJob(Gate gate, TaskCompletionSource mayEnd) : IJob<EchoPayload>
    {
        public async Task ExecuteAsync(EchoPayload payload, JobContext context, CancellationToken cancellationToken)
        {
            gate.Started.TrySetResult();
            try { await mayEnd.Task.WaitAsync(cancellationToken); }
            catch (OperationCanceledException) { gate.Cancelled.TrySetResult(DateTimeOffset.UtcNow); throw; }
        }
    }

    /// <summary>
    /// The caller's FOR KEY SHARE on the parent conflicts with FOR UPDATE, which the claim, the rescuer, cancel and
    /// retry took: while the transaction stayed open the parent was skipped by every claim (and, had its worker died,
    /// by the rescuer), and a cancel of it waited for the caller. They lock FOR NO KEY UPDATE now, as updates do.
    /// </summary>
    [Fact]
    public async Task A_parent_whose_continuation_is_enqueued_in_an_open_transaction_can_be_claimed_cancelled_and_rescued()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var client = await EngineHost.StartAsync(db); // no processing: the test claims
        await JobTypeLock.RegisterAsync(client, new JobPlatform.Jobs.Storage.JobTypeRecord { Name = "t", Queue = "q", MaxAttempts = 1, PayloadSchema = "{}" });
        var parent = await client.EnqueueAsync("t", new EchoPayload("parent"), new EnqueueOptions { Queue = "q" });
        await client.GuardFencingTokensAsync(); // the claim below runs once, not again after guarding

        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await client.WithClientAsync(c => c.EnqueueAsync(transaction, "t", new EchoPayload("child"), new EnqueueOptions { ContinueAfter = parent, Queue = "q" }));

        var claimed = await client.WithStoreAsync(s => s.ClaimAsync("s", "q", ["t"], 1, TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal(parent, Assert.Single(claimed).Id);

        var cancel = await client.WithClientAsync(c => c.CancelAsync(parent)).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(CancelOutcome.CancellationRequested, cancel);

        // Its server dies: the lease runs out, and the rescuer ends the job as its cancel request says.
        await Sql.ExecuteAsync(db, $"UPDATE jobplatform.jobs SET lease_expires_at = now() - interval '1 second' WHERE id = '{parent}'");
        Assert.Equal(1, await client.WithStoreAsync(s => s.RescueExpiredAsync(CancellationToken.None)));
        Assert.Equal(["cancelled"], await Sql.StringsAsync(db, $"SELECT state FROM jobplatform.jobs WHERE id = '{parent}'"));
        await transaction.CommitAsync();
    }
}
