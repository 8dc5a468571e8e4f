using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Infrastructure;
using Npgsql;
using static JobPlatform.Testing.QueryPlans;

namespace JobPlatform.Tests.Engine;

/// <summary>
/// A claim reads about the rows it takes (issue 18): neither jobs due later at a higher priority, nor the backlog of
/// a limited type held back by its limit, nor the jobs of a type this server does not offer are walked, and of an
/// offered backlog of lower priority it reads (and locks) only what it takes: the type ranges are merged lazily. The engine's
/// own statements (the promotion of jobs that came due, then the claim) run under EXPLAIN (ANALYZE, BUFFERS), with a
/// plan made for the values (custom) and one made without them (generic, as a prepared statement gets after five runs).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClaimCostTests(PostgresFixture postgres)
{
    private const int Backlog = 20_000;

    [Theory]
    [InlineData("force_custom_plan")]
    [InlineData("force_generic_plan")]
    public async Task A_claim_reads_only_the_rows_it_takes_past_jobs_due_later_a_held_back_backlog_and_types_not_offered(string planCacheMode)
    {
        var db = await postgres.CreateDatabaseAsync();
        await using (await EngineHost.StartAsync(db)) { } // migrates
        await Sql.ExecuteAsync(db, $$"""
            INSERT INTO jobplatform.token_guard (id) VALUES (1);
            INSERT INTO jobplatform.job_types (name, queue, max_attempts, max_rescues, payload_schema, updated_at, concurrency_limit)
            VALUES ('plain', 'default', 1, 3, '{}', now(), NULL), ('limited', 'default', 1, 3, '{}', now(), 1),
                   ('other', 'default', 1, 3, '{}', now(), NULL), ('bulk', 'default', 1, 3, '{}', now(), NULL);
            {{InsertJobs("plain", "scheduled", 10, "now() + interval '1 day'", Backlog)}}
            {{InsertJobs("limited", "enqueued", 5, "now() - interval '1 hour'", Backlog)}}
            {{InsertJobs("limited", "processing", 5, "now() - interval '1 hour'", 1)}}
            {{InsertJobs("other", "enqueued", 5, "now() - interval '1 hour'", Backlog)}}
            {{InsertJobs("plain", "enqueued", 0, "now() - interval '1 minute'", 5)}}
            {{InsertJobs("plain", "scheduled", 0, "now() - interval '1 second'", 5, "later")}}
            {{InsertJobs("bulk", "enqueued", -1, "now() - interval '1 hour'", Backlog)}}
            """);
        await Sql.ExecuteAsync(db, "VACUUM ANALYZE jobplatform.jobs");

        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, $"SET LOCAL plan_cache_mode = {planCacheMode}");
        // What the claim's lock statement notes: the limited types it locked.
        await ExecuteAsync(connection, "SELECT set_config('jobplatform.locked_types', '{limited}', true)");

        var promote = await ExplainAsync(connection, "promote", JobStore.PromoteSql, Values);
        var claim = await ExplainAsync(connection, "claim", JobStore.ClaimSql(3), Values);

        var claimed = await StringsAsync(connection,
            """
            SELECT t || ' ' || count(*) FROM (SELECT payload->>'text' AS t FROM jobplatform.jobs WHERE state = 'processing' AND lease_owner = 'test') c
            GROUP BY t ORDER BY t
            """);
        // The ten of priority 0 first, then the rest of the hundred from the offered backlog of lower priority.
        Assert.Equal(["bulk 90", "later 5", "plain 5"], claimed);
        foreach (var (name, plan) in new[] { ("promotion", promote), ("claim", claim) })
        {
            var scans = Scans(plan).ToList();
            Assert.DoesNotContain(scans, s => s.Node == "Seq Scan" && s.Relation == "jobs");
            foreach (var scan in scans.Where(s => s.Index is "ix_jobs_due" or "ix_jobs_scheduled"))
                Assert.True(scan.Blocks <= BlocksPerScan, $"the {name} touched {scan.Blocks} blocks in one scan of {scan.Index}:\n{plan}");
        }
    }

    private static readonly Dictionary<string, (string Type, string Value)> Values = new()
    {
        ["queue"] = ("text", "'default'"), ["limit"] = ("int", "100"), ["types"] = ("text[]", "'{plain,limited,bulk}'"),
        ["owner"] = ("text", "'test'"), ["lease"] = ("interval", "'30 seconds'"),
    };
}
