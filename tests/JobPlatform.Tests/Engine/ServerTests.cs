using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Engine;

[Collection(PostgresCollection.Name)]
public sealed class ServerTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Each_queue_runs_no_more_jobs_at_once_than_its_concurrency()
    {
        var parallelism = new Parallelism();
        await using var host = await EngineHost.StartAsync(await postgres.CreateDatabaseAsync(), jobs =>
        {
            jobs.Services.AddSingleton(parallelism);
            jobs.AddJob<ParallelismJob, EchoPayload>("probe");
        }, o =>
        {
            o.Queues = ["narrow", "wide"];
            o.Concurrency = 4;
            o.QueueConcurrency = new() { ["narrow"] = 1 };
        });

        var ids = new List<Guid>();
        foreach (var queue in new[] { "narrow", "wide" })
            ids.AddRange(await host.WithClientAsync(c => c.EnqueueManyAsync("probe", Enumerable.Repeat(new EchoPayload("p"), 8), new EnqueueOptions { Queue = queue })));
        foreach (var id in ids) await host.WaitForStateAsync(id, TimeSpan.FromSeconds(30), JobState.Succeeded);

        Assert.Equal(1, parallelism.MaxOf("narrow"));
        Assert.InRange(parallelism.MaxOf("wide"), 2, 4);
        var server = Assert.Single(await host.WithClientAsync(c => c.GetServersAsync()));
        Assert.Equal(5, server.Concurrency);
        Assert.Equal(["narrow", "wide"], server.Queues);
    }

    [Fact]
    public async Task A_server_silent_for_too_long_is_pruned_by_the_next_heartbeat()
    {
        await using var host = await EngineHost.StartAsync(await postgres.CreateDatabaseAsync());
        await host.WithStoreAsync(async s =>
        {
            await s.HeartbeatAsync(new ServerRecord { Id = "dead", Host = "h", Queues = ["default"] }, [], TimeSpan.FromMinutes(1), CancellationToken.None);
            return 0;
        });
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<JobsDbContext>().Database
                .ExecuteSqlRawAsync("UPDATE jobplatform.servers SET heartbeat_at = now() - interval '2 minutes' WHERE id = 'dead'");

        await host.WithStoreAsync(async s =>
        {
            await s.HeartbeatAsync(new ServerRecord { Id = "alive", Host = "h", Queues = ["default"] }, [], TimeSpan.FromMinutes(1), CancellationToken.None);
            return 0;
        });

        Assert.Equal(["alive"], (await host.WithClientAsync(c => c.GetServersAsync())).Select(s => s.Id));
    }
}
