using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Tests.Infrastructure;
using Npgsql;

namespace JobPlatform.Tests.Engine;

/// <summary>
/// Concurrent single enqueues share durable commits (group commit), and each caller still gets exactly its own
/// job, with its own options, or its own error.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CoalescedEnqueueTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Concurrent_enqueues_share_commits_and_each_caller_gets_its_own_job()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var engine = await StartAsync(db);
        const int callers = 400;

        var ids = await Task.WhenAll(Enumerable.Range(0, callers).Select(i => Task.Run(() => engine.EnqueueAsync("echo", new EchoPayload($"job {i}"),
            new EnqueueOptions { Delay = TimeSpan.FromHours(1), Priority = i % 5, Queue = i % 2 == 0 ? "even" : null, Tags = [$"n-{i}"], MaxAttempts = 1 + i % 3 }))));

        Assert.Equal(callers, ids.Distinct().Count());
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand(
            "SELECT id, payload->>'text', priority, queue, tags, max_attempts, state, run_at > now() + interval '50 minutes', xmin::text FROM jobplatform.jobs", connection);
        await using var reader = await read.ExecuteReaderAsync();
        var rows = new Dictionary<Guid, (string Text, int Priority, string Queue, string[] Tags, int MaxAttempts, string State, bool Delayed, string Xmin)>();
        while (await reader.ReadAsync())
            rows[reader.GetGuid(0)] = (reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetFieldValue<string[]>(4),
                reader.GetInt32(5), reader.GetString(6), reader.GetBoolean(7), reader.GetString(8));

        Assert.Equal(callers, rows.Count);
        for (var i = 0; i < callers; i++)
        {
            var row = rows[ids[i]];
            Assert.Equal($"job {i}", row.Text);
            Assert.Equal(i % 5, row.Priority);
            Assert.Equal(i % 2 == 0 ? "even" : "default", row.Queue);
            Assert.Equal([$"n-{i}"], row.Tags);
            Assert.Equal(1 + i % 3, row.MaxAttempts);
            Assert.Equal("scheduled", row.State);
            Assert.True(row.Delayed);
        }
        // Rows committed together share their inserting transaction: far fewer transactions than jobs.
        var transactions = rows.Values.Select(r => r.Xmin).Distinct().Count();
        Assert.True(transactions < callers / 2, $"{callers} jobs took {transactions} transactions");
    }

    [Fact]
    public async Task A_job_the_database_refuses_fails_alone_and_the_others_of_its_batch_are_stored()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var engine = await StartAsync(db);

        // A type no worker offers is refused by the insert itself (no row). A job the database refuses (a trigger
        // stands in for any constraint a deployment adds) fails its batch's transaction, after which each job of
        // that batch is tried on its own.
        await using (var setup = new NpgsqlConnection(db))
        {
            await setup.OpenAsync();
            await using var trigger = new NpgsqlCommand("""
                CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.payload->>'text' = 'refuse me' THEN RAISE EXCEPTION 'refused by the test trigger'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER refuse BEFORE INSERT ON jobplatform.jobs FOR EACH ROW EXECUTE FUNCTION refuse();
                """, setup);
            await trigger.ExecuteNonQueryAsync();
        }
        var attempts = Enumerable.Range(0, 60).Select(i => Task.Run(() => i switch
        {
            7 => engine.EnqueueAsync("no-such-type", new EchoPayload("x")),
            13 => engine.EnqueueAsync("echo", new EchoPayload("refuse me")),
            _ => engine.EnqueueAsync("echo", new EchoPayload($"good {i}"), new EnqueueOptions { Delay = TimeSpan.FromHours(1) }),
        })).ToArray();
        await Task.WhenAll(attempts.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default)));

        var unknown = Assert.IsType<UnknownJobTypeException>(attempts[7].Exception?.InnerException);
        Assert.Contains("echo", unknown.KnownTypes);
        Assert.Contains("refused by the test trigger", Assert.IsType<PostgresException>(attempts[13].Exception?.InnerException).MessageText);
        var stored = attempts.Where((_, i) => i is not 7 and not 13).Select(a => a.Result).ToArray();
        Assert.Equal(58, stored.Length);
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM jobplatform.jobs WHERE id = ANY(@ids)", connection)
            { Parameters = { new("ids", stored) } };
        Assert.Equal(58L, await count.ExecuteScalarAsync());
        await using var all = new NpgsqlCommand("SELECT count(*) FROM jobplatform.jobs", connection);
        Assert.Equal(58L, await all.ExecuteScalarAsync());
    }

    private static Task<EngineHost> StartAsync(string db) =>
        EngineHost.StartEchoWorkerAsync(db);
}
