using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace JobPlatform.Tests.Engine;

/// <summary>The storage rules that keep jobs safe on many nodes, checked statement by statement.</summary>
[Collection(PostgresCollection.Name)]
public sealed class StoreTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_database_with_the_history_in_public_moves_the_engines_rows_to_its_schema_and_leaves_the_rest()
    {
        var db = await postgres.CreateDatabaseAsync();
        // The old layout: a context configured without AddJobPlatform keeps EF's default, public."__EFMigrationsHistory",
        // which an application's own context may share.
        await using (var old = new JobsDbContext(new DbContextOptionsBuilder<JobsDbContext>().UseNpgsql(db).Options))
            await SchemaMigrator.MigrateAsync(old, CancellationToken.None);
        await Sql.ExecuteAsync(db, """INSERT INTO public."__EFMigrationsHistory" VALUES ('20250101000000_ShopSchema', '10.0.0')""");

        await using (var host = await EngineHost.StartAsync(db)) { } // migrates the way every host does

        var moved = await Sql.StringsAsync(db, """SELECT "MigrationId" FROM jobplatform."__EFMigrationsHistory" ORDER BY 1""");
        await using var check = new JobsDbContext(new DbContextOptionsBuilder<JobsDbContext>().UseNpgsql(db).Options);
        Assert.Equal(check.Database.GetMigrations(), moved);
        Assert.Equal(moved.Count + 1, await Sql.ScalarAsync(db, """SELECT count(*) FROM public."__EFMigrationsHistory" """));
    }

    [Fact]
    public async Task Processes_starting_at_once_on_an_empty_database_all_migrate_without_error()
    {
        var db = await postgres.CreateDatabaseAsync();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            await using var context = new JobsDbContext(new DbContextOptionsBuilder<JobsDbContext>().UseNpgsql(db).Options);
            await SchemaMigrator.MigrateAsync(context, CancellationToken.None);
        }));

        await using var check = new JobsDbContext(new DbContextOptionsBuilder<JobsDbContext>().UseNpgsql(db).Options);
        Assert.Empty(await check.Database.GetPendingMigrationsAsync());
        Assert.Equal(0, await check.Jobs.CountAsync());
    }

    [Fact]
    public async Task Concurrent_claimers_never_take_the_same_job()
    {
        await using var host = await EngineHost.StartAsync(await postgres.CreateDatabaseAsync());
        await RegisterTypeAsync(host, "echo");
        for (var i = 0; i < 200; i++) await host.EnqueueAsync("echo", "{}");

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(n => host.WithStoreAsync(async store =>
        {
            var mine = new List<Guid>();
            while (await store.ClaimAsync($"server-{n}", "default", ["echo"], 7, Lease, CancellationToken.None) is { Count: > 0 } batch)
                mine.AddRange(batch.Select(j => j.Id));
            return mine;
        })));

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(200, all.Count);
        Assert.Equal(200, all.Distinct().Count());
    }

    [Fact]
    public async Task Expired_lease_is_rescued_and_the_old_owner_cannot_complete_it()
    {
        await using var host = await EngineHost.StartAsync(await postgres.CreateDatabaseAsync());
        await RegisterTypeAsync(host, "echo");
        var id = await host.EnqueueAsync("echo", "{}");

        var first = Assert.Single(await host.WithStoreAsync(s => s.ClaimAsync("dead-server", "default", ["echo"], 10, TimeSpan.FromMilliseconds(100), CancellationToken.None)));
        await Task.Delay(300);
        Assert.Equal(1, await host.WithStoreAsync(s => s.RescueExpiredAsync(CancellationToken.None)));
        Assert.Equal(JobState.Enqueued, (await host.WithClientAsync(c => c.GetAsync(id)))!.State);

        var second = Assert.Single(await host.WithStoreAsync(s => s.ClaimAsync("live-server", "default", ["echo"], 10, Lease, CancellationToken.None)));
        Assert.True(second.FencingToken > first.FencingToken);
        Assert.Equal(1, second.Attempt); // the lost attempt was not spent

        // The paused-then-resumed first owner reports late: refused, the job stays with the second owner.
        Assert.False(await host.WithStoreAsync(s => s.CompleteAsync(id, first.FencingToken, "dead-server", CancellationToken.None)));
        Assert.Null(await host.WithStoreAsync(s => s.FailAsync(id, first.FencingToken, "dead-server", new AttemptError("failed", "X", "late", null), true, TimeSpan.Zero, CancellationToken.None)));
        Assert.Equal(JobState.Processing, (await host.WithClientAsync(c => c.GetAsync(id)))!.State);
        Assert.True(await host.WithStoreAsync(s => s.CompleteAsync(id, second.FencingToken, "live-server", CancellationToken.None)));
        Assert.Equal(JobState.Succeeded, (await host.WithClientAsync(c => c.GetAsync(id)))!.State);
    }

    [Fact]
    public async Task Rescue_fails_a_job_whose_rescue_budget_is_spent()
    {
        await using var host = await EngineHost.StartAsync(await postgres.CreateDatabaseAsync());
        await RegisterTypeAsync(host, "echo", maxAttempts: 1);
        var id = await host.EnqueueAsync("echo", "{}", new EnqueueOptions { MaxRescues = 0 });

        await host.WithStoreAsync(s => s.ClaimAsync("dead-server", "default", ["echo"], 10, TimeSpan.FromMilliseconds(50), CancellationToken.None));
        await Task.Delay(200);
        await host.WithStoreAsync(s => s.RescueExpiredAsync(CancellationToken.None));

        var job = (await host.WithClientAsync(c => c.GetAsync(id)))!;
        Assert.Equal(JobState.Failed, job.State);
        Assert.Contains("dead-server", job.Error);
    }

    [Fact]
    public async Task Higher_priority_is_claimed_first()
    {
        await using var host = await EngineHost.StartAsync(await postgres.CreateDatabaseAsync());
        await RegisterTypeAsync(host, "echo");
        var low = await host.EnqueueAsync("echo", "{}", new() { Priority = -5 });
        var high = await host.EnqueueAsync("echo", "{}", new() { Priority = 10 });

        var claimed = await host.WithStoreAsync(s => s.ClaimAsync("s", "default", ["echo"], 1, Lease, CancellationToken.None));

        Assert.Equal(high, Assert.Single(claimed).Id);
        Assert.NotEqual(low, high);
    }

    private static Task<int> RegisterTypeAsync(EngineHost host, string name, int maxAttempts = 3) =>
        host.WithStoreAsync(async s =>
        {
            await s.UpsertJobTypesAsync("test", [new JobTypeRecord { Name = name, Queue = "default", MaxAttempts = maxAttempts, PayloadSchema = "{}" }], CancellationToken.None);
            return 0;
        });
}
