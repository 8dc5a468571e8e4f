using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using JobPlatform.Testing;
using static JobPlatform.Testing.QueryPlans;

namespace JobPlatform.Tests.Engine;

/// <summary>
/// The job list's filters read about the page they return, not the history around it (issue 18): a rare type by
/// its own index, and a creation window by the range of ids it implies (v7 ids carry their creation time). Each
/// list runs as the client sends it, then again under EXPLAIN (ANALYZE, BUFFERS), beside 40,000 older jobs.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class JobListCostTests(PostgresFixture postgres)
{
    private const int History = 20_000;

    [Fact]
    public async Task Rare_types_and_recent_windows_are_found_without_walking_the_history()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var host = await EngineHost.StartAsync(db); // migrates
        await Sql.ExecuteAsync(db, $"""
            {Jobs("common", "failed", "now() - interval '3 days'", History)}
            {Jobs("common", "succeeded", "now() - interval '1 day'", History)}
            {Jobs("rare", "failed", "now() - interval '2 days'", 5)}
            {Jobs("common", "failed", "now() - interval '10 minutes'", 3)}
            -- Enqueued by a host whose clock ran 90 minutes behind the database's: its id says it is older than it is.
            {Jobs("common", "failed", "now() - interval '90 minutes'", 1, createdAt: "now()")}
            -- And by one whose clock ran 30 minutes ahead: its id says it is newer than it is.
            {Jobs("ahead", "succeeded", "now() - interval '2 hours 40 minutes'", 1, createdAt: "now() - interval '3 hours 10 minutes'")}
            """);
        await Sql.ExecuteAsync(db, "VACUUM ANALYZE jobplatform.jobs");

        var lastHour = DateTimeOffset.UtcNow.AddHours(-1);
        var cases = new (string Name, JobQuery Query, int Expected, string FirstType)[]
        {
            ("a rare type", new JobQuery { Type = "rare" }, 5, "rare"),
            ("failed, one type, created in the last hour", new JobQuery { State = JobState.Failed, Type = "common", CreatedFrom = lastHour }, 4, "common"),
            // The newest job created before then is the one whose id came from a clock ahead of the database's.
            ("created before three hours ago, in the last four days",
                new JobQuery { CreatedFrom = DateTimeOffset.UtcNow.AddDays(-4), CreatedTo = DateTimeOffset.UtcNow.AddHours(-3), Limit = 10 }, 10, "ahead"),
            ("created in the last hour", new JobQuery { CreatedFrom = lastHour }, 4, "common"),
        };
        foreach (var (name, query, expected, firstType) in cases)
        {
            var page = await host.WithClientAsync(c => c.ListAsync(query));
            Assert.Equal(expected, page.Items.Count);
            Assert.Equal(firstType, page.Items[0].Type);

            var plan = await ExplainListAsync(db, query);
            Assert.DoesNotContain(Scans(plan), s => s.Node == "Seq Scan" && s.Relation == "jobs");
            var blocks = Scans(plan).Sum(s => s.Blocks);
            // The page's own rows (each on a heap page of its own at worst) and a few index pages.
            Assert.True(blocks <= BlocksPerScan + 2 * (query.Limit + 1), $"{name} touched {blocks} blocks:\n{plan}");
        }
    }

    /// <summary>
    /// Jobs with v7 ids minted at <paramref name="at"/> plus i ms, created (by the database's clock) then, or at
    /// <paramref name="createdAt"/>.
    /// </summary>
    private static string Jobs(string type, string state, string at, int count, string? createdAt = null) => $$"""
        INSERT INTO jobplatform.jobs (id, type, queue, state, priority, payload, attempt, max_attempts, max_rescues, run_at,
                                      created_at, finished_at, fencing_token)
        SELECT {{V7Id("t.at", "h.h")}},
               '{{type}}', 'default', '{{state}}', 0, '{}', 1, 1, 3, t.at, {{createdAt ?? "t.at"}}, t.at, 0
        FROM generate_series(1, {{count}}) i
        CROSS JOIN LATERAL (SELECT {{at}} + i * interval '1 ms' AS at) t
        CROSS JOIN LATERAL (SELECT md5(random()::text || i) AS h) h;
        """;

    /// <summary>The list's statement as the client builds it, run under EXPLAIN (ANALYZE, BUFFERS) with its parameters.</summary>
    private static async Task<string> ExplainListAsync(string db, JobQuery query)
    {
        var captured = new CapturedCommand();
        var options = new DbContextOptionsBuilder<JobsDbContext>().UseNpgsql(db).AddInterceptors(captured).Options;
        await using (var context = new JobsDbContext(options))
            await JobClient.ListQuery(context.Jobs.AsNoTracking(), query, after: null).ToListAsync();

        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        return await ExplainAsync(connection, captured);
    }
}
