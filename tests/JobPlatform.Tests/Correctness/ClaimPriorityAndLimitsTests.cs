using System.Collections.Concurrent;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Engine;
using JobPlatform.Testing;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Correctness;

/// <summary>
/// Findings 4 and 5 of issue 16: a claim honours priority across the limited and unlimited types of a queue, and a
/// cluster-wide limit holds however the servers running it are configured (a rolling deploy): the strictest limit
/// any live server declares is the one in force, and every server obeys it, declared or not.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClaimPriorityAndLimitsTests(PostgresFixture postgres)
{
    /// <summary>The order in which jobs started, by their payload's text.</summary>
    public sealed class StartOrder
    {
        public ConcurrentQueue<string> Texts { get; } = new();
    }

    public sealed class OrderedJob(StartOrder order) : IJob<EchoPayload>
    {
        public Task ExecuteAsync(EchoPayload payload, JobContext context, CancellationToken cancellationToken)
        {
            order.Texts.Enqueue(payload.Text);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_high_priority_job_of_a_limited_type_runs_before_low_priority_jobs_of_unlimited_types()
    {
        var db = await postgres.CreateDatabaseAsync();
        var order = new StartOrder();
        await using var worker = await EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(order);
            jobs.AddJob<OrderedJob, EchoPayload>("plain");
            jobs.AddJob<OrderedJob, EchoPayload>("limited", o => o.ConcurrencyLimit = 5);
        }, o => o.Concurrency = 1);

        await worker.WithClientAsync(async c => { await c.PauseQueueAsync("default"); return 0; });
        await worker.WithClientAsync(c => c.EnqueueManyAsync("plain", Enumerable.Range(0, 20).Select(i => new EchoPayload($"low {i}"))));
        await worker.EnqueueAsync("limited", new EchoPayload("urgent"), new EnqueueOptions { Priority = 10 });
        await worker.WithClientAsync(async c => { await c.ResumeQueueAsync("default"); return 0; });

        await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE state = 'succeeded'", 21, TimeSpan.FromSeconds(30));
        Assert.Equal("urgent", order.Texts.First());
    }

    [Fact]
    public async Task Two_servers_that_disagree_on_a_limit_never_overshoot_the_strictest_and_it_is_lifted_when_its_server_goes()
    {
        var db = await postgres.CreateDatabaseAsync();
        var parallelism = new Parallelism(); // shared: it sees the whole cluster
        Task<EngineHost> StartAsync(string name, int? limit) => EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(parallelism);
            jobs.AddJob<ParallelismJob, EchoPayload>("limited", o => o.ConcurrencyLimit = limit);
        }, o => (o.ServerName, o.Concurrency) = (name, 10));

        // The old version declares a limit of two; the new one, started after it, declares none (or a looser one).
        var old = await StartAsync("old-version", 2);
        await using var looser = await StartAsync("looser-version", 8);
        await using var unlimited = await StartAsync("new-version", null);

        await unlimited.WithClientAsync(c => c.EnqueueManyAsync("limited", Enumerable.Range(0, 40).Select(i => new EchoPayload($"{i}"))));
        await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE state = 'succeeded'", 40, TimeSpan.FromSeconds(60));
        Assert.Equal(2, parallelism.MaxOf("default"));
        Assert.Equal(2, await Sql.ScalarAsync(db, "SELECT concurrency_limit FROM jobplatform.job_types WHERE name = 'limited'"));
        Assert.True(await Sql.ScalarAsync(db, "SELECT count(DISTINCT server) FROM jobplatform.job_attempts") >= 2, "one server did all the work");

        // The old version stops: the strictest limit left is the looser version's.
        await old.DisposeAsync();
        Assert.Equal(8, await Sql.ScalarAsync(db, "SELECT concurrency_limit FROM jobplatform.job_types WHERE name = 'limited'"));
    }

    /// <summary>Waits until the test lets every run end.</summary>
    public sealed class HeldJob(TaskCompletionSource release) : IJob<EchoPayload>
    {
        public Task ExecuteAsync(EchoPayload payload, JobContext context, CancellationToken cancellationToken) =>
            release.Task.WaitAsync(cancellationToken);
    }

    [Fact]
    public async Task A_limited_type_whose_registry_row_is_gone_is_claimed_no_more_than_the_free_slots()
    {
        var db = await postgres.CreateDatabaseAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = await EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(release);
            jobs.AddJob<HeldJob, EchoPayload>("held", o => (o.ConcurrencyLimit, o.Queue) = (5, "held"));
        }, o => (o.Queues, o.Concurrency) = (["held"], 3));
        await worker.WithClientAsync(async c => { await c.PauseQueueAsync("held"); return 0; });
        await worker.WithClientAsync(c => c.EnqueueManyAsync("held", Enumerable.Range(0, 10).Select(i => new EchoPayload($"{i}"))));
        await Sql.ExecuteAsync(db, "DELETE FROM jobplatform.job_types WHERE name = 'held'");
        await worker.WithClientAsync(async c => { await c.ResumeQueueAsync("held"); return 0; });

        await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE state = 'processing'", 3, TimeSpan.FromSeconds(10));
        await Task.Delay(500); // more claims, had there been room for them, would have been made by now
        Assert.Equal(3, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE state = 'processing'"));
        release.TrySetResult();
        await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE state = 'succeeded'", 10, TimeSpan.FromSeconds(20));
    }

    /// <summary>
    /// A claim that waits for a limited type's lock (another server's claim, a heartbeat refreshing the limits) sees,
    /// when it goes on, every job committed meanwhile; those were also due by then, and must compete on priority. It
    /// measured "due" by its transaction's start instead, before the wait: a priority-10 job enqueued during the wait
    /// lost to older priority-0 jobs (seen in CI as the first test of this class failing once).
    /// </summary>
    [Fact]
    public async Task A_claim_that_waited_for_a_limit_lock_takes_jobs_that_became_due_meanwhile()
    {
        var (db, client) = await ClaimerOfPlainAndLimitedAsync();
        await using var _ = client;
        await client.EnqueueAsync("plain", new EchoPayload("low"));
        await client.GuardFencingTokensAsync(); // one try, no second

        await using var typeLock = await JobTypeLock.HoldAsync(db, "limited");
        var claim = client.WithStoreAsync(s => s.ClaimAsync("claimer", "default", ["limited", "plain"], 1, TimeSpan.FromSeconds(30), CancellationToken.None));
        await typeLock.WaitForWaiterAsync();

        var urgent = await client.EnqueueAsync("limited", new EchoPayload("urgent"), new EnqueueOptions { Priority = 10 });
        await typeLock.ReleaseAsync();

        var claimed = Assert.Single(await claim.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(urgent, claimed.Id);
    }

    [Fact]
    public async Task A_delayed_job_that_came_due_while_the_claim_waited_for_a_limit_lock_wins_on_priority()
    {
        var (db, client) = await ClaimerOfPlainAndLimitedAsync();
        await using var _ = client;
        await client.EnqueueAsync("plain", new EchoPayload("low"));
        var urgent = await client.EnqueueAsync("limited", new EchoPayload("urgent"),
            new EnqueueOptions { Priority = 10, Delay = TimeSpan.FromMilliseconds(500) });
        await client.GuardFencingTokensAsync(); // one try, no second

        await using var typeLock = await JobTypeLock.HoldAsync(db, "limited");
        var claim = client.WithStoreAsync(s => s.ClaimAsync("claimer", "default", ["limited", "plain"], 1, TimeSpan.FromSeconds(30), CancellationToken.None));
        await typeLock.WaitForWaiterAsync();
        await Task.Delay(800); // the urgent job comes due while the claim waits
        await typeLock.ReleaseAsync();

        var claimed = Assert.Single(await claim.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(urgent, claimed.Id);
    }

    [Fact]
    public async Task After_a_catch_up_the_next_claim_chooses_among_all_the_due_jobs_by_priority()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var client = await EngineHost.StartAsync(db);
        await JobTypeLock.RegisterAsync(client, new JobTypeRecord { Name = "plain", Queue = "default", MaxAttempts = 1, PayloadSchema = "{}" });
        await client.GuardFencingTokensAsync();
        // A queue that nobody served for a while: 2,500 jobs came due, oldest first, then a high-priority one.
        await Sql.ExecuteAsync(db, QueryPlans.InsertJobs("plain", "scheduled", 0, "now() - interval '1 hour'", 2_500));
        await Sql.ExecuteAsync(db, QueryPlans.InsertJobs("plain", "scheduled", 10, "now() - interval '1 second'", 1, "urgent"));

        Task<IReadOnlyList<ClaimedJob>> ClaimOneAsync() =>
            client.WithStoreAsync(s => s.ClaimAsync("claimer", "default", ["plain"], 1, TimeSpan.FromSeconds(30), CancellationToken.None));
        var first = Assert.Single(await ClaimOneAsync());   // from the oldest thousand promoted
        var second = Assert.Single(await ClaimOneAsync());

        Assert.DoesNotContain("urgent", first.Payload);
        Assert.Contains("urgent", second.Payload);
        Assert.Equal(0, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE state = 'scheduled'"));
    }

    /// <summary>A client only (the test makes the only claim) on a fresh database, with "plain" and "limited" (at most 5) registered.</summary>
    private async Task<(string Db, EngineHost Client)> ClaimerOfPlainAndLimitedAsync()
    {
        var db = await postgres.CreateDatabaseAsync();
        var client = await EngineHost.StartAsync(db);
        await JobTypeLock.RegisterAsync(client,
            new JobTypeRecord { Name = "plain", Queue = "default", MaxAttempts = 1, PayloadSchema = "{}" },
            new JobTypeRecord { Name = "limited", Queue = "default", MaxAttempts = 1, PayloadSchema = "{}", ConcurrencyLimit = 5 });
        return (db, client);
    }
}
