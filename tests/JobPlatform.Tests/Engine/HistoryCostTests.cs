using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Infrastructure;
using Npgsql;
using static JobPlatform.Testing.QueryPlans;

namespace JobPlatform.Tests.Engine;

/// <summary>
/// The periodic statements cost what is waiting or running, never the finished history (issue 18): retention reads
/// only the state it deletes, and the leader's gauges and the dashboard's counts read no finished job at all. Each
/// runs under EXPLAIN (ANALYZE, BUFFERS) beside 40,000 failed and cancelled jobs older than the succeeded ones.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class HistoryCostTests(PostgresFixture postgres)
{
    private const int History = 20_000;

    private static readonly Dictionary<string, (string Type, string Value)> Values = new()
    {
        ["state"] = ("text", "'succeeded'"), ["keep"] = ("interval", "'1 hour'"), ["batch"] = ("int", "1000"),
        ["window"] = ("interval", "'1 hour'"),
    };

    [Theory]
    [InlineData("force_custom_plan")]
    [InlineData("force_generic_plan")]
    public async Task Retention_and_the_counts_read_no_history_they_do_not_need(string planCacheMode)
    {
        var db = await postgres.CreateDatabaseAsync();
        await using (await EngineHost.StartAsync(db)) { } // migrates
        await Sql.ExecuteAsync(db, $$"""
            {{InsertJobs("echo", "failed", 0, "now() - interval '3 days'", History)}}
            {{InsertJobs("echo", "cancelled", 0, "now() - interval '3 days'", History)}}
            {{InsertJobs("echo", "succeeded", 0, "now() - interval '2 days'", 5, "expired")}}
            {{InsertJobs("echo", "succeeded", 0, "now() - interval '1 minute'", History)}}
            {{InsertJobs("echo", "enqueued", 0, "now() - interval '1 minute'", 3)}}
            {{InsertJobs("echo", "scheduled", 0, "now() + interval '1 hour'", 3)}}
            {{InsertJobs("echo", "processing", 0, "now() - interval '1 minute'", 2)}}
            """);
        await Sql.ExecuteAsync(db, "VACUUM ANALYZE jobplatform.jobs");

        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, $"SET LOCAL plan_cache_mode = {planCacheMode}");

        var plans = new Dictionary<string, string>
        {
            ["retention"] = await ExplainAsync(connection, "retention", JobStore.DeleteFinishedSql, Values),
            ["queue counts"] = await ExplainAsync(connection, "queues", JobStore.CountByQueueSql, Values),
            ["throughput"] = await ExplainAsync(connection, "throughput", JobStore.FinishedPerMinuteSql, Values),
            ["depth gauge"] = await ExplainAsync(connection, "depth", JobStore.CountUnfinishedSql, Values),
            ["oldest-wait gauge"] = await ExplainAsync(connection, "oldest", JobStore.OldestWaitSql, Values),
        };

        Assert.Equal(0, await ScalarAsync(connection, "SELECT count(*) FROM jobplatform.jobs WHERE payload->>'text' = 'expired'"));
        Assert.Equal(3 * History + 8, await ScalarAsync(connection, "SELECT count(*) FROM jobplatform.jobs"));
        foreach (var (name, plan) in plans)
        {
            var scans = Scans(plan);
            Assert.DoesNotContain(scans, s => s.Node == "Seq Scan" && s.Relation == "jobs");
            // Jobs found by their ids (the rows retention deletes) cost what they are; no other scan may walk the history.
            foreach (var scan in scans.Where(s => s.Index?.StartsWith("ix_jobs") == true))
                Assert.True(scan.Blocks <= BlocksPerScan, $"{name} touched {scan.Blocks} blocks in one scan ({scan.Node} {scan.Index}):\n{plan}");
        }
    }
}
