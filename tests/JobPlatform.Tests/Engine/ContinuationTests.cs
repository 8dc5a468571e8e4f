using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Engine;

[Collection(PostgresCollection.Name)]
public sealed class ContinuationTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static Task<EngineHost> StartAsync(string db, Executions executions, string[]? queues = null) =>
        EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(executions);
            jobs.AddJob<EchoJob, EchoPayload>("echo")
                .AddJob<AlwaysFailingJob, EchoPayload>("always-fails", o => o.MaxAttempts = 1);
        }, o => o.Queues = queues ?? ["default"]);

    private static EnqueueOptions After(Guid parent, ContinuationCondition on = ContinuationCondition.OnSuccess) =>
        new() { ContinueAfter = parent, ContinueOn = on };

    [Fact]
    public async Task A_continuation_waits_for_its_parent_and_runs_after_it_succeeds()
    {
        var executions = new Executions();
        await using var host = await StartAsync(await postgres.CreateDatabaseAsync(), executions);
        var parent = await host.EnqueueAsync("echo", new EchoPayload("parent"), new EnqueueOptions { Delay = TimeSpan.FromSeconds(1) });
        var child = await host.EnqueueAsync("echo", new EchoPayload("child"), After(parent));

        Assert.Equal(JobState.Awaiting, (await host.WithClientAsync(c => c.GetAsync(child)))!.State);
        var done = await host.WaitForStateAsync(child, Timeout, JobState.Succeeded);

        var parentJob = (await host.WithClientAsync(c => c.GetAsync(parent)))!;
        Assert.True(done.StartedAt >= parentJob.FinishedAt);
        Assert.Equal(["parent", "child"], executions.Runs.Select(r => r.Text));
    }

    [Fact]
    public async Task A_failed_parent_runs_its_on_failure_continuation_and_skips_the_on_success_one_with_the_reason()
    {
        await using var host = await StartAsync(await postgres.CreateDatabaseAsync(), new Executions());
        var parent = await host.EnqueueAsync("always-fails", new EchoPayload("p"), new EnqueueOptions { Delay = TimeSpan.FromMilliseconds(500) });
        var onSuccess = await host.EnqueueAsync("echo", new EchoPayload("s"), After(parent));
        var onFailure = await host.EnqueueAsync("echo", new EchoPayload("f"), After(parent, ContinuationCondition.OnFailure));
        var always = await host.EnqueueAsync("echo", new EchoPayload("a"), After(parent, ContinuationCondition.Always));

        await host.WaitForStateAsync(onFailure, Timeout, JobState.Succeeded);
        await host.WaitForStateAsync(always, Timeout, JobState.Succeeded);
        var skipped = await host.WaitForStateAsync(onSuccess, Timeout, JobState.Cancelled);

        Assert.Contains($"parent job {parent} ended failed", skipped.Error);
        Assert.Equal(0, skipped.Attempt);
    }

    [Fact]
    public async Task A_delayed_continuation_released_before_its_time_waits_as_scheduled_and_runs_when_due()
    {
        var executions = new Executions();
        await using var host = await StartAsync(await postgres.CreateDatabaseAsync(), executions);
        // The parent sits on a queue nobody serves; cancelling it releases its always-continuation at once.
        var parent = await host.EnqueueAsync("echo", new EchoPayload("parent"), new EnqueueOptions { Queue = "nobody-listens" });
        var child = await host.EnqueueAsync("echo", new EchoPayload("child"),
            new EnqueueOptions { ContinueAfter = parent, ContinueOn = ContinuationCondition.Always, Delay = TimeSpan.FromSeconds(3) });
        await host.WithClientAsync(c => c.CancelAsync(parent));

        // Only due jobs are enqueued: one due later waits as scheduled, where a claim never reads it.
        var released = (await host.WithClientAsync(c => c.GetAsync(child)))!;
        Assert.Equal(JobState.Scheduled, released.State);
        var done = await host.WaitForStateAsync(child, Timeout, JobState.Succeeded);
        Assert.True(done.StartedAt >= released.RunAt, $"started {done.StartedAt:O}, due {released.RunAt:O}");
    }

    [Fact]
    public async Task A_continuation_of_a_finished_parent_is_decided_at_once()
    {
        await using var host = await StartAsync(await postgres.CreateDatabaseAsync(), new Executions());
        var parent = await host.EnqueueAsync("echo", new EchoPayload("p"));
        await host.WaitForStateAsync(parent, Timeout, JobState.Succeeded);

        var runs = await host.EnqueueAsync("echo", new EchoPayload("r"), After(parent));
        var skipped = await host.EnqueueAsync("echo", new EchoPayload("s"), After(parent, ContinuationCondition.OnFailure));

        Assert.NotEqual(JobState.Awaiting, (await host.WithClientAsync(c => c.GetAsync(runs)))!.State);
        Assert.Equal(JobState.Cancelled, (await host.WithClientAsync(c => c.GetAsync(skipped)))!.State);
        await host.WaitForStateAsync(runs, Timeout, JobState.Succeeded);
    }

    [Fact]
    public async Task Skipping_cascades_down_a_chain_and_cancelling_a_parent_runs_its_always_continuation()
    {
        await using var host = await StartAsync(await postgres.CreateDatabaseAsync(), new Executions(), ["nobody-listens"]);
        var a = await host.EnqueueAsync("echo", new EchoPayload("a"));
        var b = await host.EnqueueAsync("echo", new EchoPayload("b"), After(a));
        var c = await host.EnqueueAsync("echo", new EchoPayload("c"), After(b));
        var cleanup = await host.EnqueueAsync("echo", new EchoPayload("cleanup"), After(a, ContinuationCondition.Always));

        Assert.Equal(CancelOutcome.Cancelled, await host.WithClientAsync(client => client.CancelAsync(a)));

        Assert.Equal(JobState.Cancelled, (await host.WithClientAsync(client => client.GetAsync(b)))!.State);
        Assert.Equal(JobState.Cancelled, (await host.WithClientAsync(client => client.GetAsync(c)))!.State);
        Assert.Equal(JobState.Enqueued, (await host.WithClientAsync(client => client.GetAsync(cleanup)))!.State);
    }

    [Fact]
    public async Task A_continuation_enqueued_while_its_parent_completes_never_stays_waiting()
    {
        await using var host = await StartAsync(await postgres.CreateDatabaseAsync(), new Executions(), ["nobody-listens"]);
        for (var round = 0; round < 40; round++)
        {
            var parent = await host.EnqueueAsync("echo", "{}");
            var claimed = Assert.Single(await host.WithStoreAsync(s => s.ClaimAsync("s", "default", ["echo"], 1, TimeSpan.FromMinutes(1), CancellationToken.None)));
            Assert.Equal(parent, claimed.Id);

            var complete = host.WithStoreAsync(s => s.CompleteAsync(parent, claimed.FencingToken, "s", CancellationToken.None));
            // In another queue, so that the next round claims its own parent and not this child.
            var enqueue = host.EnqueueAsync("echo", "{}", After(parent) with { Queue = "children" });
            await Task.WhenAll(complete, enqueue);

            var child = (await host.WithClientAsync(c => c.GetAsync(enqueue.Result)))!;
            Assert.True(child.State == JobState.Enqueued, $"round {round}: the continuation is {child.State}");
        }
    }
}
