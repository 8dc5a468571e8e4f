using System.Collections.Concurrent;
using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Workflows;

public sealed record BatchSummary(Guid Id, int Total, int Succeeded, int Failed, int Cancelled);

public sealed record BatchDonePayload(string Note, BatchSummary Batch);

/// <summary>Records every callback it ran, with what it was told.</summary>
public sealed class Callbacks
{
    public ConcurrentQueue<BatchDonePayload> Runs { get; } = new();
}

public sealed class BatchDoneJob(Callbacks callbacks) : IJob<BatchDonePayload>
{
    public Task ExecuteAsync(BatchDonePayload payload, JobContext context, CancellationToken cancellationToken)
    {
        callbacks.Runs.Enqueue(payload);
        return Task.CompletedTask;
    }
}

/// <summary>Batches: the callback runs exactly once with the counts, even when the last jobs finish on different servers at once.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BatchTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static Task<EngineHost> WorkerAsync(string db, Callbacks callbacks, string name, params string[] queues) => EngineHost.StartAsync(db, jobs =>
    {
        jobs.Services.AddSingleton(new Executions()).AddSingleton(callbacks);
        jobs.AddJob<EchoJob, EchoPayload>("echo")
            .AddJob<AlwaysFailingJob, EchoPayload>("always-fails", o => o.MaxAttempts = 1)
            .AddJob<BatchDoneJob, BatchDonePayload>("batch-done");
    }, o =>
    {
        (o.ServerName, o.Concurrency) = (name, 16);
        if (queues.Length > 0) o.Queues = queues;
    });

    [Fact]
    public async Task The_callback_runs_exactly_once_per_batch_with_the_counts_across_three_servers()
    {
        var db = await postgres.CreateDatabaseAsync();
        var callbacks = new Callbacks();
        await using var a = await WorkerAsync(db, callbacks, "a");
        await using var b = await WorkerAsync(db, callbacks, "b");
        await using var c = await WorkerAsync(db, callbacks, "c");

        var batches = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            BatchJob[] jobs =
            [
                .. Enumerable.Range(0, 40).Select(n => new BatchJob("echo", $$"""{"text": "{{n}}"}""")),
                .. Enumerable.Range(0, 3).Select(n => new BatchJob("always-fails", $$"""{"text": "{{n}}"}""")),
            ];
            var result = await a.WithClientAsync(client => client.EnqueueBatchAsync(jobs, new BatchCallback("batch-done", """{"note": "all done"}""")));
            Assert.Equal(43, result.JobIds.Count);
            batches.Add(result.BatchId);
        }

        await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE type = 'batch-done' AND state = 'succeeded'", 10, Timeout);
        await Task.Delay(1000); // a second callback, if there were one, would have had time to run

        Assert.Equal(10, callbacks.Runs.Count);
        Assert.Equal(batches.Order(), callbacks.Runs.Select(r => r.Batch.Id).Order());
        Assert.All(callbacks.Runs, run =>
        {
            Assert.Equal("all done", run.Note);
            Assert.Equal(new BatchSummary(run.Batch.Id, 43, 40, 3, 0), run.Batch);
        });
        var info = (await a.WithClientAsync(client => client.GetBatchAsync(batches[0])))!;
        Assert.True(info.Finished);
        Assert.Equal((43, 0, 0, 40, 3, 0), (info.Total, info.Waiting, info.Processing, info.Succeeded, info.Failed, info.Cancelled));
        Assert.NotNull(info.CallbackJobId);
    }

    [Fact]
    public async Task Progress_is_visible_and_cancelling_the_last_waiting_job_finishes_the_batch()
    {
        var db = await postgres.CreateDatabaseAsync();
        var callbacks = new Callbacks();
        // This worker runs only the default queue: the batch's jobs, in "later", wait.
        await using var worker = await WorkerAsync(db, callbacks, "a");
        var result = await worker.WithClientAsync(c => c.EnqueueBatchAsync(
            [new BatchJob("echo", """{"text": "1"}"""), new BatchJob("echo", """{"text": "2"}""")],
            new BatchCallback("batch-done", """{"note": "cancelled"}"""), new EnqueueOptions { Queue = "later" }));

        var waiting = (await worker.WithClientAsync(c => c.GetBatchAsync(result.BatchId)))!;
        Assert.Equal((2, 2, false), (waiting.Total, waiting.Waiting, waiting.Finished));

        await worker.WithClientAsync(c => c.CancelAsync(result.JobIds[0]));
        Assert.False((await worker.WithClientAsync(c => c.GetBatchAsync(result.BatchId)))!.Finished);
        await worker.WithClientAsync(c => c.CancelAsync(result.JobIds[1]));

        var done = (await worker.WithClientAsync(c => c.GetBatchAsync(result.BatchId)))!;
        Assert.True(done.Finished);
        Assert.Equal(2, done.Cancelled);
        await worker.WaitForStateAsync(done.CallbackJobId!.Value, Timeout, JobState.Succeeded);
        var run = Assert.Single(callbacks.Runs);
        Assert.Equal(new BatchSummary(result.BatchId, 2, 0, 0, 2), run.Batch);
    }

    /// <summary>Finding 7 of issue 16: retention must not delete the finished jobs of a batch that is still open.</summary>
    [Fact]
    public async Task Retention_keeps_the_finished_jobs_of_an_open_batch_so_the_callback_counts_them()
    {
        var db = await postgres.CreateDatabaseAsync();
        var callbacks = new Callbacks();
        await using var worker = await WorkerAsync(db, callbacks, "a");
        var result = await worker.WithClientAsync(c => c.EnqueueBatchAsync(
            [new BatchJob("echo", """{"text": "1"}"""), new BatchJob("echo", """{"text": "2"}""")],
            new BatchCallback("batch-done", """{"note": "retention"}"""), new EnqueueOptions { Queue = "later" }));
        await worker.WithClientAsync(c => c.CancelAsync(result.JobIds[0]));

        // Retention with nothing kept: the first job has finished, but its batch has not.
        Assert.Equal(0, await worker.WithStoreAsync(s => s.DeleteFinishedAsync("cancelled", TimeSpan.Zero, 1000, CancellationToken.None)));
        await worker.WithClientAsync(c => c.CancelAsync(result.JobIds[1]));
        var done = (await worker.WithClientAsync(c => c.GetBatchAsync(result.BatchId)))!;
        await worker.WaitForStateAsync(done.CallbackJobId!.Value, Timeout, JobState.Succeeded);
        Assert.Equal(new BatchSummary(result.BatchId, 2, 0, 0, 2), Assert.Single(callbacks.Runs).Batch);

        // Once the batch has closed, its jobs go with the rest.
        Assert.Equal(2, await worker.WithStoreAsync(s => s.DeleteFinishedAsync("cancelled", TimeSpan.Zero, 1000, CancellationToken.None)));
    }

    [Fact]
    public async Task An_empty_batch_calls_back_at_once_and_an_unknown_callback_type_is_refused_up_front()
    {
        var db = await postgres.CreateDatabaseAsync();
        var callbacks = new Callbacks();
        await using var worker = await WorkerAsync(db, callbacks, "a");

        var empty = await worker.WithClientAsync(c => c.EnqueueBatchAsync([], new BatchCallback("batch-done", """{"note": "empty"}""")));
        var info = (await worker.WithClientAsync(c => c.GetBatchAsync(empty.BatchId)))!;
        Assert.True(info.Finished);
        await worker.WaitForStateAsync(info.CallbackJobId!.Value, Timeout, JobState.Succeeded);

        await Assert.ThrowsAsync<UnknownJobTypeException>(() => worker.WithClientAsync(c =>
            c.EnqueueBatchAsync([new BatchJob("echo", "{}")], new BatchCallback("no-such-callback"))));
        await Assert.ThrowsAsync<UnknownJobTypeException>(() => worker.WithClientAsync(c =>
            c.EnqueueBatchAsync([new BatchJob("no-such-type", "{}")])));
        Assert.Equal(1, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.batches")); // the refused ones left nothing
    }
}
