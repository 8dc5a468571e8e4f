using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Engine;

[Collection(PostgresCollection.Name)]
public sealed class BulkEnqueueTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Hundred_thousand_jobs_are_enqueued_in_one_call_with_their_options()
    {
        await using var host = await EngineHost.StartEchoWorkerAsync(await postgres.CreateDatabaseAsync(), o => o.Queues = ["nobody-listens"]);

        var ids = await host.WithClientAsync(c => c.EnqueueManyAsync("echo",
            Enumerable.Range(0, 100_000).Select(i => new EchoPayload($"#{i}")),
            new EnqueueOptions { Priority = 3, Tags = ["bulk"], Timeout = TimeSpan.FromMinutes(1) }));

        Assert.Equal(100_000, ids.Count);
        Assert.Equal(100_000, ids.Distinct().Count());
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        Assert.Equal(100_000, await db.Jobs.CountAsync(j => j.State == "enqueued" && j.Priority == 3 && j.Queue == "default"));
        var last = (await host.WithClientAsync(c => c.GetAsync(ids[^1])))!;
        Assert.Equal("""{"text": "#99999"}""", last.Payload);
        Assert.Equal(["bulk"], last.Tags);
        Assert.Equal(TimeSpan.FromMinutes(1), last.Timeout);
    }

    [Fact]
    public async Task Bulk_jobs_are_processed()
    {
        var executions = new Executions();
        await using var host = await EngineHost.StartAsync(await postgres.CreateDatabaseAsync(), jobs =>
        {
            jobs.Services.AddSingleton(executions);
            jobs.AddJob<EchoJob, EchoPayload>("echo");
        });

        var ids = await host.WithClientAsync(c => c.EnqueueManyAsync("echo", Enumerable.Range(0, 500).Select(i => new EchoPayload($"{i}"))));

        await host.WaitForStateAsync(ids[^1], TimeSpan.FromSeconds(30), JobState.Succeeded);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (executions.Runs.Count < 500 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(ids.ToHashSet(), executions.Runs.Select(r => r.JobId).ToHashSet());
    }

    [Fact]
    public async Task Bulk_enqueue_refuses_an_unknown_type_a_bad_payload_and_a_unique_key()
    {
        await using var host = await EngineHost.StartEchoWorkerAsync(await postgres.CreateDatabaseAsync(), o => o.Queues = ["nobody-listens"]);

        await Assert.ThrowsAsync<UnknownJobTypeException>(() => host.WithClientAsync(c => c.EnqueueManyAsync("nope", ["{}"])));
        Assert.Equal("payload", (await Assert.ThrowsAsync<JobValidationException>(() => host.WithClientAsync(c => c.EnqueueManyAsync("echo", ["{}", "[1]"])))).Field);
        Assert.Equal("uniqueKey", (await Assert.ThrowsAsync<JobValidationException>(() => host.WithClientAsync(c => c.EnqueueManyAsync("echo", ["{}"], new EnqueueOptions { UniqueKey = "k" })))).Field);
        await using var scope = host.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<JobsDbContext>().Jobs.CountAsync());
    }
}
