using JobPlatform.AppHost.Local;
using JobPlatform.Testing;
using Npgsql;

namespace JobPlatform.Tests.Reliability;

/// <summary>
/// The chaos suite and the explorer fail on any deadlock PostgreSQL logs; the failure must say which statements
/// deadlocked, since the cluster and its log are gone once the run ends.
/// </summary>
public sealed class DeadlockReportTests
{
    [Fact]
    public async Task A_deadlock_is_counted_and_reported_with_the_statements_PostgreSQL_logged()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var cluster = await LocalPostgresCluster.StartAsync(PostgresBinaries.Find()!, cts.Token);
        await using (var setup = new NpgsqlConnection(cluster.AdminConnectionString))
        {
            await setup.OpenAsync();
            await new NpgsqlCommand("CREATE TABLE rows (id int PRIMARY KEY, n int); INSERT INTO rows VALUES (1, 0), (2, 0)", setup).ExecuteNonQueryAsync();
        }

        // Two transactions lock the two rows in opposite orders.
        await using var a = new NpgsqlConnection(cluster.AdminConnectionString);
        await using var b = new NpgsqlConnection(cluster.AdminConnectionString);
        await a.OpenAsync();
        await b.OpenAsync();
        await using var ta = await a.BeginTransactionAsync();
        await using var tb = await b.BeginTransactionAsync();
        await new NpgsqlCommand("UPDATE rows SET n = n + 1 WHERE id = 1", a, ta).ExecuteNonQueryAsync();
        await new NpgsqlCommand("UPDATE rows SET n = n + 1 WHERE id = 2", b, tb).ExecuteNonQueryAsync();
        var first = new NpgsqlCommand("UPDATE rows SET n = n + 10 WHERE id = 2", a, ta).ExecuteNonQueryAsync();
        await Task.Delay(200);
        var second = new NpgsqlCommand("UPDATE rows SET n = n + 20 WHERE id = 1", b, tb).ExecuteNonQueryAsync();
        var refused = await Assert.ThrowsAsync<PostgresException>(async () => await Task.WhenAll(first, second));
        Assert.Equal(PostgresErrorCodes.DeadlockDetected, refused.SqlState);

        var deadline = DateTime.UtcNow.AddSeconds(10); // the log reaches the cluster's reader a moment later
        while ((cluster.DeadlocksLogged == 0 || !cluster.DeadlockReports().Single().Contains("STATEMENT")) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(1, cluster.DeadlocksLogged);
        var report = Assert.Single(cluster.DeadlockReports());
        Assert.Contains("deadlock detected", report);
        Assert.Contains("UPDATE rows SET n = n + 10 WHERE id = 2", report);
        Assert.Contains("UPDATE rows SET n = n + 20 WHERE id = 1", report);
    }
}
