using System.Diagnostics;
using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Maintenance;
using JobPlatform.Jobs.Processing;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace JobPlatform.Tests.Engine;

/// <summary>Unique keys, timeouts, cancellation, progress, history, wake-up, shutdown and retention.</summary>
[Collection(PostgresCollection.Name)]
public sealed class JobLifecycleTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static Task<EngineHost> StartAsync(string db, Gate gate, Action<ProcessingOptions>? processing = null) =>
        EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(gate).AddSingleton(new Executions());
            jobs.AddJob<BlockingJob, EchoPayload>("blocking", o => o.MaxAttempts = 1)
                .AddJob<EchoJob, EchoPayload>("echo")
                .AddJob<AlwaysFailingJob, EchoPayload>("always-fails", o => o.RetryIntervals = [TimeSpan.FromMilliseconds(100)]);
        }, processing);

    [Fact]
    public async Task Hundred_concurrent_enqueues_with_one_unique_key_create_one_job()
    {
        await using var host = await StartAsync(await postgres.CreateDatabaseAsync(), new Gate(), o => o.Queues = ["nobody-listens"]);
        var options = new EnqueueOptions { UniqueKey = "report:2026-11" };

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ =>
            host.WithClientAsync(c => c.EnqueueAsync("echo", "{}", options))));

        var id = Assert.Single(results.Select(r => r.Id).Distinct());
        Assert.Single(results, r => r.Created);
        Assert.Equal("report:2026-11", (await host.WithClientAsync(c => c.GetAsync(id)))!.UniqueKey);
    }

    [Fact]
    public async Task A_unique_key_is_free_again_once_its_job_finished()
    {
        await using var host = await StartAsync(await postgres.CreateDatabaseAsync(), new Gate());
        var options = new EnqueueOptions { UniqueKey = "once-at-a-time" };

        var first = await host.EnqueueAsync("echo", new EchoPayload("1"), options);
        await host.WaitForStateAsync(first, Timeout, JobState.Succeeded);
        var second = await host.WithClientAsync(c => c.EnqueueAsync("echo", new EchoPayload("2"), options));

        Assert.True(second.Created);
        Assert.NotEqual(first, second.Id);
    }

    [Fact]
    public async Task Timeout_cancels_the_handler_and_fails_the_attempt_as_timed_out()
    {
        var gate = new Gate();
        await using var host = await StartAsync(await postgres.CreateDatabaseAsync(), gate);

        var id = await host.EnqueueAsync("blocking", new EchoPayload("t"), new EnqueueOptions { Timeout = TimeSpan.FromMilliseconds(300) });
        var job = await host.WaitForStateAsync(id, Timeout, JobState.Failed);

        Assert.True(gate.Cancelled.Task.IsCompleted);
        Assert.Contains("TimeoutException", job.Error);
        var attempt = Assert.Single(job.Attempts);
        Assert.Equal("timed-out", attempt.Outcome);
        Assert.Equal(TimeSpan.FromMilliseconds(300), job.Timeout);
    }

    [Fact]
    public async Task Cancelling_a_running_job_reaches_its_handler_within_a_second()
    {
        var gate = new Gate();
        await using var worker = await StartAsync(await postgres.CreateDatabaseAsync(), gate);
        var id = await worker.EnqueueAsync("blocking", new EchoPayload("c"));
        await gate.Started.Task.WaitAsync(Timeout);

        var asked = DateTimeOffset.UtcNow;
        Assert.Equal(CancelOutcome.CancellationRequested, await worker.WithClientAsync(c => c.CancelAsync(id)));
        var reached = await gate.Cancelled.Task.WaitAsync(Timeout);
        var job = await worker.WaitForStateAsync(id, Timeout, JobState.Cancelled);

        Assert.True(reached - asked < TimeSpan.FromSeconds(1), $"the handler saw the cancel after {reached - asked}");
        Assert.Equal("cancelled", Assert.Single(job.Attempts).Outcome);
        Assert.NotNull(job.CancelRequestedAt);
    }

    [Fact]
    public async Task Cancelling_a_waiting_job_cancels_it_at_once_and_a_finished_one_stays_as_it_was()
    {
        await using var host = await StartAsync(await postgres.CreateDatabaseAsync(), new Gate());
        var later = await host.EnqueueAsync("echo", new EchoPayload("later"), new EnqueueOptions { Delay = TimeSpan.FromHours(1) });

        Assert.Equal(CancelOutcome.Cancelled, await host.WithClientAsync(c => c.CancelAsync(later)));
        Assert.Equal(JobState.Cancelled, (await host.WithClientAsync(c => c.GetAsync(later)))!.State);
        Assert.Equal(CancelOutcome.AlreadyFinished, await host.WithClientAsync(c => c.CancelAsync(later)));
        Assert.Equal(CancelOutcome.NotFound, await host.WithClientAsync(c => c.CancelAsync(Guid.NewGuid())));
    }

    [Fact]
    public async Task Progress_reported_by_a_handler_is_visible_while_it_runs()
    {
        var gate = new Gate();
        await using var host = await StartAsync(await postgres.CreateDatabaseAsync(), gate);
        var id = await host.EnqueueAsync("blocking", new EchoPayload("p"), new EnqueueOptions { Tags = ["tenant:7", "nightly"] });
        await gate.Started.Task.WaitAsync(Timeout);

        var job = (await host.WithClientAsync(c => c.GetAsync(id)))!;

        Assert.Equal(JobState.Processing, job.State);
        Assert.Equal(50, job.ProgressPercent);
        Assert.Equal("halfway", job.ProgressMessage);
        Assert.Equal(["tenant:7", "nightly"], job.Tags);
        await host.WithClientAsync(c => c.CancelAsync(id));
    }

    [Fact]
    public async Task Every_attempt_is_kept_with_its_error_and_stack_trace()
    {
        await using var host = await StartAsync(await postgres.CreateDatabaseAsync(), new Gate());
        var id = await host.EnqueueAsync("always-fails", new EchoPayload("h"));

        var job = await host.WaitForStateAsync(id, Timeout, JobState.Failed);

        Assert.Equal([1, 2, 3], job.Attempts.Select(a => a.Attempt));
        Assert.All(job.Attempts, a =>
        {
            Assert.Equal("failed", a.Outcome);
            Assert.Equal(typeof(InvalidOperationException).FullName, a.ErrorType);
            Assert.Contains(nameof(AlwaysFailingJob), a.StackTrace);
            Assert.True(a.FinishedAt >= a.StartedAt);
        });
        Assert.Equal("boom on attempt 2", job.Attempts[1].ErrorMessage);
        // Explicit retry intervals (100 ms) replace the exponential backoff.
        Assert.True(job.Attempts[2].StartedAt - job.Attempts[1].FinishedAt < TimeSpan.FromSeconds(2));
    }

    [Theory]
    [InlineData("single")]
    [InlineData("bulk")]
    [InlineData("in the caller's transaction")]
    public async Task An_idle_worker_is_woken_by_notify_and_does_not_wait_for_its_poll(string how)
    {
        // Polling every 30 s: only LISTEN/NOTIFY can make the job start quickly.
        var db = await postgres.CreateDatabaseAsync();
        await using var host = await StartAsync(db, new Gate(), o => o.PollInterval = TimeSpan.FromSeconds(30));
        await Task.Delay(1000); // the worker has polled once and sleeps

        var clock = Stopwatch.StartNew();
        Guid id;
        switch (how)
        {
            case "single":
                id = await host.EnqueueAsync("echo", new EchoPayload("now"));
                break;
            case "bulk":
                id = (await host.WithClientAsync(c => c.EnqueueManyAsync("echo", [new EchoPayload("now")])))[0];
                break;
            default:
                // The NOTIFY must arrive with the commit, not before it: a worker woken early finds nothing
                // and would sleep through its 30 s poll.
                await using (var connection = new NpgsqlConnection(db))
                {
                    await connection.OpenAsync();
                    await using var transaction = await connection.BeginTransactionAsync();
                    id = (await host.WithClientAsync(c => c.EnqueueAsync(transaction, "echo", new EchoPayload("now")))).Id;
                    await Task.Delay(500);
                    await transaction.CommitAsync();
                }
                clock.Restart();
                break;
        }
        var job = await host.WaitForStateAsync(id, Timeout, JobState.Succeeded);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.True(job.StartedAt - job.CreatedAt < TimeSpan.FromSeconds(3), $"waited {job.StartedAt - job.CreatedAt}");
    }

    [Fact]
    public async Task On_shutdown_a_running_job_is_given_back_and_another_server_runs_it()
    {
        var db = await postgres.CreateDatabaseAsync();
        var gate = new Gate();
        Guid id;
        await using (var first = await StartAsync(db, gate, o => o.ShutdownGrace = TimeSpan.FromMilliseconds(200)))
        {
            id = await first.EnqueueAsync("blocking", new EchoPayload("s"));
            await gate.Started.Task.WaitAsync(Timeout);
        }
        await using var check = await EngineHost.StartAsync(db);
        var released = (await check.WithClientAsync(c => c.GetAsync(id)))!;
        Assert.Equal(JobState.Enqueued, released.State);
        Assert.Equal(0, released.Attempt); // a released attempt does not count

        var secondGate = new Gate();
        await using var second = await StartAsync(db, secondGate);
        await secondGate.Started.Task.WaitAsync(Timeout);
        Assert.Equal(1, (await second.WithClientAsync(c => c.GetAsync(id)))!.Attempt);
        await second.WithClientAsync(c => c.CancelAsync(id));
    }

    [Fact]
    public async Task Retention_deletes_finished_jobs_and_their_history_but_not_unfinished_ones()
    {
        await using var host = await StartAsync(await postgres.CreateDatabaseAsync(), new Gate());
        var done = await host.EnqueueAsync("echo", new EchoPayload("old"));
        await host.WaitForStateAsync(done, Timeout, JobState.Succeeded);
        var waiting = await host.EnqueueAsync("echo", new EchoPayload("later"), new EnqueueOptions { Delay = TimeSpan.FromHours(1) });

        var cleaner = host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<JobCleaner>().Single();
        var deleted = await cleaner.CleanAsync(new RetentionOptions { Succeeded = TimeSpan.Zero, BatchSize = 1 }, CancellationToken.None);

        Assert.Equal(1, deleted);
        Assert.Null(await host.WithClientAsync(c => c.GetAsync(done)));
        Assert.NotNull(await host.WithClientAsync(c => c.GetAsync(waiting)));
    }
}
