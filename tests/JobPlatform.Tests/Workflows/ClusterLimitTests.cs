using System.Diagnostics;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Workflows;

/// <summary>
/// Limits per job type that hold across the whole cluster: three servers, each with room for ten jobs,
/// and polling set to 30 s, so held-back jobs can only start promptly if the engine wakes them.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterLimitTests(PostgresFixture postgres)
{
    private static async Task<List<EngineHost>> StartServersAsync(string db, Parallelism parallelism, Action<JobTypeOptions> limits)
    {
        var servers = new List<EngineHost>();
        foreach (var name in new[] { "a", "b", "c" })
            servers.Add(await EngineHost.StartAsync(db, jobs =>
            {
                jobs.Services.AddSingleton(parallelism).AddSingleton(new Executions());
                jobs.AddJob<ParallelismJob, EchoPayload>("limited", limits);
            }, o => (o.ServerName, o.Concurrency, o.PollInterval) = (name, 10, TimeSpan.FromSeconds(30))));
        return servers;
    }

    [Fact]
    public async Task A_concurrency_limit_of_two_is_never_exceeded_across_three_servers_and_freed_slots_are_taken_at_once()
    {
        var db = await postgres.CreateDatabaseAsync();
        var parallelism = new Parallelism(); // shared by the three servers: it sees the whole cluster
        var servers = await StartServersAsync(db, parallelism, o => o.ConcurrencyLimit = 2);
        try
        {
            var clock = Stopwatch.StartNew();
            await servers[0].WithClientAsync(c => c.EnqueueManyAsync("limited", Enumerable.Range(0, 20).Select(i => new EchoPayload($"{i}"))));
            await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE state = 'succeeded'", 20, TimeSpan.FromSeconds(30));

            Assert.Equal(2, parallelism.MaxOf("default"));
            // 20 jobs of 100 ms, two at a time: about a second; waiting for polls would take minutes.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
            Assert.True(await Sql.ScalarAsync(db, "SELECT count(DISTINCT server) FROM jobplatform.job_attempts") >= 2, "one server did all the work");
        }
        finally
        {
            foreach (var server in servers) await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_rate_limit_holds_in_every_window_across_three_servers_and_held_jobs_start_when_the_window_allows()
    {
        var db = await postgres.CreateDatabaseAsync();
        var servers = await StartServersAsync(db, new Parallelism(), o => o.RateLimit = new RateLimit(5, TimeSpan.FromSeconds(1)));
        try
        {
            var clock = Stopwatch.StartNew();
            await servers[0].WithClientAsync(c => c.EnqueueManyAsync("limited", Enumerable.Range(0, 15).Select(i => new EchoPayload($"{i}"))));
            await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE state = 'succeeded'", 15, TimeSpan.FromSeconds(30));

            // Fifteen starts at five a second: three windows, so a little over two seconds.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
            var starts = (await Sql.StringsAsync(db, "SELECT extract(epoch FROM started_at)::float8 FROM jobplatform.job_attempts ORDER BY started_at"))
                .Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(15, starts.Count);
            // No six starts within one second: the sixth after any start is at least a second later.
            Assert.All(Enumerable.Range(0, starts.Count - 5), i => Assert.True(starts[i + 5] - starts[i] >= 0.999, $"starts {i}..{i + 5} within {starts[i + 5] - starts[i]:F3} s"));
        }
        finally
        {
            foreach (var server in servers) await server.DisposeAsync();
        }
    }

    private const string LimitOfTwo = "SELECT count(*) FROM jobplatform.job_types WHERE name = 'limited' AND concurrency_limit = 2";

    /// <summary>Server "a", declaring a limit of 2 for "limited", with a heartbeat every half second; once the limit is in force.</summary>
    private static async Task<EngineHost> StartLimitedServerAsync(string db)
    {
        var server = await EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(new Parallelism()).AddSingleton(new Executions());
            jobs.AddJob<ParallelismJob, EchoPayload>("limited", o => o.ConcurrencyLimit = 2);
        }, o => (o.ServerName, o.LeaseDuration) = ("a", TimeSpan.FromSeconds(1.5)));
        await Sql.WaitUntilAsync(db, LimitOfTwo, 1);
        return server;
    }

    /// <summary>
    /// A server cut off for longer than three leases has its declarations pruned by the others, and with them its
    /// limits (none other declares them). Back, it kept refreshing declarations that were gone: the limit stayed
    /// lifted until the server restarted. Its heartbeat declares them again.
    /// </summary>
    [Fact]
    public async Task A_server_whose_limits_were_pruned_while_it_was_cut_off_declares_them_again()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var server = await StartLimitedServerAsync(db);

        // What another server's heartbeat does to a server silent for three leases: its declarations go, and the
        // limits in force are those the servers left declare (here none).
        await Sql.ExecuteAsync(db, """
            DELETE FROM jobplatform.job_type_declarations WHERE server = 'a';
            UPDATE jobplatform.job_types SET concurrency_limit = NULL WHERE name = 'limited';
            """);

        await Sql.WaitUntilAsync(db, LimitOfTwo, 1, TimeSpan.FromSeconds(10)); // a heartbeat every half second
        Assert.Equal(1, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.job_type_declarations WHERE server = 'a' AND type = 'limited' AND concurrency_limit = 2"));
    }

    /// <summary>
    /// Limits are applied after the heartbeat that changed the declarations commits; an application that failed
    /// there (the database gone again) left the limit wrong, and later heartbeats, finding nothing to change, never
    /// applied it. A heartbeat applies the limits of any type whose limits in force are not what is declared.
    /// </summary>
    [Fact]
    public async Task A_limit_left_wrong_by_a_failed_application_is_applied_at_the_next_heartbeat()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var server = await StartLimitedServerAsync(db);

        await Sql.ExecuteAsync(db, "UPDATE jobplatform.job_types SET concurrency_limit = NULL WHERE name = 'limited'");

        await Sql.WaitUntilAsync(db, LimitOfTwo, 1, TimeSpan.FromSeconds(10)); // a heartbeat every half second
    }
}
