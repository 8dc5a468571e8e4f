extern alias bench;

using System.Diagnostics;
using System.Text.Json;
using bench::JobPlatform.Benchmarks;
using bench::JobPlatform.Benchmarks.Chaos;
using JobPlatform.AppHost.Local;
using JobPlatform.Testing;
using Npgsql;
using Xunit.Abstractions;
using Sql = JobPlatform.Tests.Infrastructure.Sql; // bench has an EngineHost too

namespace JobPlatform.Tests.Reliability;

/// <summary>
/// A worker process whose database goes away: it stays up, logs the outage in a few lines (not one per try of
/// each loop), and works again on its own, within seconds, when the database returns.
/// </summary>
public sealed class WorkerOutageTests(ITestOutputHelper output)
{
    private const string Succeeded = "SELECT count(*) FROM jobplatform.jobs WHERE state = 'succeeded'";

    [Fact]
    public async Task A_worker_outlives_an_outage_quietly_and_resumes_on_its_own()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var cluster = await LocalPostgresCluster.StartAsync(PostgresBinaries.Find()!, cts.Token);
        var db = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Pooling = true }.ConnectionString;
        await using var client = await EngineHost.StartClientAsync(db);
        await Sql.ExecuteAsync(db, FencedEffects.Schema);
        await using var pool = new WorkerPool(() => ChaosWorker.Start(db, TimeSpan.FromSeconds(2)));
        pool.StartWorkers(1);
        await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.job_types", 1, TimeSpan.FromSeconds(60));
        await EnqueueAsync(client, 0, 20);
        await Sql.WaitUntilAsync(db, Succeeded, 20, TimeSpan.FromSeconds(30));

        var linesBefore = pool.LogLines;
        await cluster.StopAsync(immediate: false, cts.Token);
        await Task.Delay(TimeSpan.FromSeconds(15), cts.Token);
        var linesDuring = pool.LogLines - linesBefore;
        output.WriteLine($"{linesDuring} log lines (warnings and errors) in 15 s of outage");
        Assert.Null(pool.Find(p => p.HasExited));
        // Each loop (claims, outcomes, notifications, heartbeat, rescuer, cleaner, scheduler) logs the start of
        // the outage once; before back-off a 15 s outage cost ~100 lines (a claim try every 250 ms, each logged).
        Assert.True(linesDuring <= 10, $"{linesDuring} log lines in 15 s of outage: {string.Join(Environment.NewLine, pool.RecentLog)}");

        await cluster.StartAgainAsync(cts.Token);
        var back = Stopwatch.StartNew();
        await EnqueueAsync(client, 20, 20);
        await Sql.WaitUntilAsync(db, Succeeded, 40, TimeSpan.FromSeconds(30));
        // The claim loop's back-off is capped at 5 s (jitter up to 6 s), so work resumes within seconds.
        output.WriteLine($"the 20 jobs enqueued after the return succeeded {back.Elapsed.TotalSeconds:N1} s after it");
        Assert.True(back.Elapsed < TimeSpan.FromSeconds(15), $"jobs ran again only {back.Elapsed.TotalSeconds:N1} s after the database returned");
        Assert.Null(pool.Find(p => p.HasExited));
    }

    /// <summary>Enqueues, trying again while the client's pooled connections still point at the old server.</summary>
    private static async Task EnqueueAsync(EngineHost client, int first, int count)
    {
        var payloads = Enumerable.Range(first, count).Select(n => JsonSerializer.Serialize(new ChaosPayload(n, "plain", 1), JsonSerializerOptions.Web)).ToList();
        for (var tries = 0; ; tries++)
        {
            try
            {
                await client.WithClientAsync(c => c.EnqueueManyAsync(ChaosJob.Name, payloads));
                return;
            }
            catch (Exception e) when (tries < 20 && e is not OperationCanceledException)
            {
                await Task.Delay(250);
            }
        }
    }
}
