using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace JobPlatform.Tests.Engine;

[Collection(PostgresCollection.Name)]
public sealed class ProcessingTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static Task<EngineHost> StartWorkerAsync(string db, Executions executions, int concurrency = 10, TimeSpan? poll = null) =>
        EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(executions);
            jobs.AddJob<EchoJob, EchoPayload>("echo")
                .AddJob<AlwaysFailingJob, EchoPayload>("always-fails", o => o.MaxAttempts = 2);
        }, o =>
        {
            o.Concurrency = concurrency;
            if (poll is { } interval) o.PollInterval = interval;
        });

    [Fact]
    public async Task Processing_recovers_when_the_database_drops_its_connections()
    {
        var db = await postgres.CreateDatabaseAsync();
        var executions = new Executions();
        // One slot: a claim failure that leaked its slot would stop this worker for good.
        await using var worker = await StartWorkerAsync(db, executions, concurrency: 1);
        await Task.Delay(300);

        await using (var admin = new NpgsqlConnection(postgres.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid()", admin);
            kill.Parameters.AddWithValue("db", new NpgsqlConnectionStringBuilder(db).Database!);
            await kill.ExecuteNonQueryAsync();
        }
        await Task.Delay(500); // the processor meets the dead connection and must carry on

        Guid id = default;
        for (var attempt = 1; id == default; attempt++)
        {
            try { id = await worker.EnqueueAsync("echo", new EchoPayload("after outage")); }
            catch (NpgsqlException) when (attempt < 5) { } // the client's pooled connection may be dead too
        }
        var job = await worker.WaitForStateAsync(id, Timeout, JobState.Succeeded, JobState.Failed);
        Assert.Equal(JobState.Succeeded, job.State);
    }

    [Fact]
    public async Task Enqueued_job_runs_once_and_succeeds()
    {
        var executions = new Executions();
        await using var worker = await StartWorkerAsync(await postgres.CreateDatabaseAsync(), executions);

        var id = await worker.EnqueueAsync("echo", new EchoPayload("hello"));
        var job = await worker.WaitForStateAsync(id, Timeout, JobState.Succeeded, JobState.Failed);

        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal(1, job.Attempt);
        Assert.NotNull(job.StartedAt);
        Assert.NotNull(job.FinishedAt);
        Assert.Null(job.Error);
        Assert.Equal([(id, 1, "hello")], executions.Runs.ToArray());
    }

    [Fact]
    public async Task Failing_job_is_retried_until_its_attempts_are_spent_and_keeps_the_error()
    {
        var executions = new Executions();
        await using var worker = await StartWorkerAsync(await postgres.CreateDatabaseAsync(), executions);

        var id = await worker.EnqueueAsync("always-fails", new EchoPayload("x"));
        var job = await worker.WaitForStateAsync(id, Timeout, JobState.Failed);

        Assert.Equal(2, job.Attempt);
        Assert.Contains("boom on attempt 2", job.Error);
        Assert.Equal([1, 2], executions.Runs.Select(r => r.Attempt).ToArray());
    }

    [Fact]
    public async Task Payload_that_does_not_fit_fails_at_once_without_retry()
    {
        var executions = new Executions();
        await using var worker = await StartWorkerAsync(await postgres.CreateDatabaseAsync(), executions);

        // "text" is required by EchoPayload; the api would catch this, a direct client call does not.
        var id = await worker.EnqueueAsync("echo", """{"other":1}""", new EnqueueOptions { MaxAttempts = 5 });
        var job = await worker.WaitForStateAsync(id, Timeout, JobState.Failed);

        Assert.Equal(1, job.Attempt);
        Assert.Contains("JobPayloadException", job.Error);
        Assert.Empty(executions.Runs);
    }

    [Fact]
    public async Task Enqueue_of_a_type_no_worker_offers_is_refused_with_the_known_types()
    {
        await using var worker = await StartWorkerAsync(await postgres.CreateDatabaseAsync(), new Executions());

        var error = await Assert.ThrowsAsync<UnknownJobTypeException>(
            () => worker.EnqueueAsync("no-such-type", "{}"));

        Assert.Equal(["always-fails", "echo"], error.KnownTypes);
    }

    [Fact]
    public async Task Job_due_later_waits_until_its_time()
    {
        var executions = new Executions();
        await using var worker = await StartWorkerAsync(await postgres.CreateDatabaseAsync(), executions);

        var runAt = DateTimeOffset.UtcNow.AddSeconds(2);
        var id = await worker.EnqueueAsync("echo", new EchoPayload("later"), new EnqueueOptions { RunAt = runAt });
        Assert.Equal(JobState.Scheduled, (await worker.WithClientAsync(c => c.GetAsync(id)))!.State);

        var job = await worker.WaitForStateAsync(id, Timeout, JobState.Succeeded);
        Assert.True(job.StartedAt >= runAt.AddMilliseconds(-50), $"started {job.StartedAt:O}, due {runAt:O}");
    }

    [Fact]
    public async Task Job_due_later_starts_on_time_while_a_stream_of_enqueues_keeps_the_worker_busy()
    {
        // Every enqueue wakes the claim loop before its poll, and a claim promotes due jobs only now and then (at most
        // every 250 ms): a due job must still start then, not once the stream ends and a poll comes.
        var executions = new Executions();
        await using var worker = await StartWorkerAsync(await postgres.CreateDatabaseAsync(), executions, poll: TimeSpan.FromSeconds(30));
        using var stop = new CancellationTokenSource();
        var stream = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await worker.EnqueueAsync("echo", new EchoPayload("stream"));
                await Task.Delay(20);
            }
        });

        var runAt = DateTimeOffset.UtcNow.AddSeconds(1);
        Guid id;
        JobInfo job;
        try
        {
            id = await worker.EnqueueAsync("echo", new EchoPayload("later"), new EnqueueOptions { RunAt = runAt });
            job = await worker.WaitForStateAsync(id, Timeout, JobState.Succeeded);
        }
        finally
        {
            await stop.CancelAsync();
            await stream;
        }

        Assert.True(job.StartedAt >= runAt.AddMilliseconds(-50), $"started {job.StartedAt:O}, due {runAt:O}");
        Assert.True(job.StartedAt < runAt.AddSeconds(1), $"started {job.StartedAt:O}, due {runAt:O}: {(job.StartedAt - runAt)?.TotalMilliseconds:N0} ms late");
        Assert.Contains(executions.Runs, r => r.Text == "stream" && r.JobId != id);
    }

    [Fact]
    public async Task Job_due_just_after_a_claim_that_did_not_promote_does_not_wait_for_the_poll()
    {
        // A claim within 250 ms of the last promotion does not promote; the loop that then goes idle must wake for the
        // next promotion rather than sleep its whole poll (30 s here) past a job that came due meanwhile.
        var executions = new Executions();
        await using var worker = await StartWorkerAsync(await postgres.CreateDatabaseAsync(), executions, poll: TimeSpan.FromSeconds(30));
        await Task.Delay(1000); // the start's promotion is long past: the next claim promotes
        await worker.EnqueueAsync("echo", new EchoPayload("first"));
        var runAt = DateTimeOffset.UtcNow.AddMilliseconds(50);
        var id = await worker.EnqueueAsync("echo", new EchoPayload("due"), new EnqueueOptions { RunAt = runAt });
        await Task.Delay(60);
        await worker.EnqueueAsync("echo", new EchoPayload("second")); // claimed within 250 ms of the first: no promotion

        var job = await worker.WaitForStateAsync(id, Timeout, JobState.Succeeded);
        Assert.True(job.StartedAt < runAt.AddSeconds(2), $"started {job.StartedAt:O}, due {runAt:O}: {(job.StartedAt - runAt)?.TotalMilliseconds:N0} ms late");
    }

    [Fact]
    public async Task Worker_registers_itself_and_its_job_types()
    {
        await using var worker = await StartWorkerAsync(await postgres.CreateDatabaseAsync(), new Executions());

        // Types are written before the host starts; the server row comes with the first heartbeat, just after.
        var types = await worker.WithClientAsync(c => c.GetJobTypesAsync());
        var servers = await worker.WithClientAsync(c => c.GetServersAsync());
        for (var i = 0; i < 100 && servers.Count == 0; i++)
        {
            await Task.Delay(50);
            servers = await worker.WithClientAsync(c => c.GetServersAsync());
        }

        Assert.Equal(["always-fails", "echo"], types.Select(t => t.Name));
        Assert.Contains("\"text\"", types.Single(t => t.Name == "echo").PayloadSchema);
        var server = Assert.Single(servers);
        Assert.Equal(["default"], server.Queues);
    }
}
