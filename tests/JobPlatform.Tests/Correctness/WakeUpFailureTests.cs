using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.Correctness;

/// <summary>
/// Every enqueue ends with a NOTIFY that wakes idle workers, sent after the jobs' commit. When only that NOTIFY
/// failed (a role refused <c>pg_notify</c>, a server shutting down), the enqueue was reported failed although its
/// jobs were stored; the coalescer then inserted each job again, one by one, and every caller got a duplicate-key
/// error for a job that existed and would run (found by review). A refused wake-up now costs one poll, nothing more.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WakeUpFailureTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Enqueues_whose_wake_up_is_refused_succeed_once_each()
    {
        var db = await postgres.CreateDatabaseAsync();
        var (_, app) = await AppRole.CreateAsync(db);
        await Sql.ExecuteAsync(db, "REVOKE EXECUTE ON FUNCTION pg_notify(text, text) FROM PUBLIC");
        await using var client = await EngineHost.StartAsync(app); // the runtime role: no superuser, so no pg_notify
        await JobTypeLock.RegisterAsync(client, new JobTypeRecord { Name = "t", Queue = "q", MaxAttempts = 1, PayloadSchema = "{}" });

        // Concurrent single enqueues (coalesced into one insert), a unique one (inserted alone), and a bulk one (COPY).
        var singles = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => client.EnqueueAsync("t", new EchoPayload($"{i}"))));
        var unique = await client.EnqueueAsync("t", new EchoPayload("u"), new EnqueueOptions { UniqueKey = "k" });
        var bulk = await client.WithClientAsync(c => c.EnqueueManyAsync("t", Enumerable.Range(0, 5).Select(i => new EchoPayload($"b{i}"))));

        Guid[] all = [.. singles, unique, .. bulk];
        Assert.Equal(16, all.Distinct().Count());
        Assert.Equal(16, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.jobs"));
        Assert.Equal(16, await Sql.ScalarAsync(db, $"SELECT count(*) FROM jobplatform.jobs WHERE id IN ('{string.Join("','", all)}')"));
    }
}
