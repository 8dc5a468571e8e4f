using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JobPlatform.AppHost.Local;
using JobPlatform.Jobs;
using JobPlatform.Testing;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace JobPlatform.Tests.Api;

/// <summary>
/// With PostgreSQL gone, or out of connections for the api, the api says so at once: 503 with Retry-After and
/// problem details (never a hang, never a 500), and its health turns unhealthy; once the database is back, both
/// recover without a restart. The stop test stops a server of its own, not the shared one.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DatabaseOutageTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Without_its_database_the_api_answers_503_with_Retry_After_within_a_second()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var cluster = await LocalPostgresCluster.StartAsync(PostgresBinaries.Find()!, cts.Token);
        await using var stopCluster = cluster;
        var db = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Database = "postgres", Pooling = true }.ConnectionString;
        await using (var worker = await EngineHost.StartEchoWorkerAsync(db)) { } // registers the job type, then leaves
        await using var api = new ApiFactory(db);
        using var http = api.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsJsonAsync("/api/jobs", new { type = "echo", payload = new { text = "before" } })).StatusCode);

        await cluster.StopAsync(immediate: false, cts.Token);

        await AssertUnavailableAsync(http); // a pooled connection that broke, then fresh ones refused

        await cluster.StartAgainAsync(cts.Token);
        await EnqueueUntilAcceptedAsync(http);
        await HealthyAgainAsync(http);
    }

    [Fact]
    public async Task Out_of_connections_the_api_answers_503_the_worker_holds_on_and_both_recover()
    {
        var admin = await postgres.CreateDatabaseAsync();
        var (role, app) = await AppRole.CreateAsync(admin); // superusers have reserved slots; the app role has none
        await using var worker = await EngineHost.StartEchoWorkerAsync(app);
        await using var api = new ApiFactory(app);
        using var http = api.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsJsonAsync("/api/jobs", new { type = "echo", payload = new { text = "before" } })).StatusCode);

        // Every slot taken, as far as the app's role can tell: it may open no connection, and its open ones end.
        await Sql.ExecuteAsync(admin, $"ALTER ROLE {role} CONNECTION LIMIT 0");
        await Sql.ExecuteAsync(admin, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'");
        var fresh = new NpgsqlConnectionStringBuilder(app) { Pooling = false }.ConnectionString; // not one the pool held
        var refused = await Assert.ThrowsAsync<PostgresException>(() => Sql.ScalarAsync(fresh, "SELECT 1"));
        Assert.Equal(PostgresErrorCodes.TooManyConnections, refused.SqlState); // what a full server answers too

        await AssertUnavailableAsync(http); // a pooled connection that was ended, then fresh ones refused

        await Sql.ExecuteAsync(admin, $"ALTER ROLE {role} CONNECTION LIMIT -1");
        var id = await EnqueueUntilAcceptedAsync(http);
        await worker.WaitForStateAsync(id, TimeSpan.FromSeconds(30), JobState.Succeeded); // the worker held on
        await HealthyAgainAsync(http);
    }

    /// <summary>/health says healthy again once its cached answer from the outage has expired (it is kept 2 s).</summary>
    private static async Task HealthyAgainAsync(HttpClient http)
    {
        var clock = Stopwatch.StartNew();
        HttpStatusCode status;
        while ((status = (await http.GetAsync("/health")).StatusCode) != HttpStatusCode.OK && clock.Elapsed < AnonymousAnswerCache.Duration * 3)
            await Task.Delay(100);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    /// <summary>Three enqueues in a row, each answered 503 with problem details and Retry-After within a second; /health 503.</summary>
    private static async Task AssertUnavailableAsync(HttpClient http)
    {
        foreach (var attempt in Enumerable.Range(0, 3))
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.PostAsJsonAsync("/api/jobs", new { type = "echo", payload = new { text = $"during {attempt}" } });
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"attempt {attempt} took {clock.Elapsed}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(response.Headers.RetryAfter?.Delta);
        }
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health")).StatusCode);
    }

    /// <summary>
    /// Enqueues until one is accepted, within 10 s: back on its own, though the first requests after the return may
    /// still meet a broken pooled connection (503, nothing else). Returns the accepted job's id.
    /// </summary>
    private static async Task<Guid> EnqueueUntilAcceptedAsync(HttpClient http)
    {
        for (var back = Stopwatch.StartNew(); back.Elapsed < TimeSpan.FromSeconds(10);)
        {
            using var response = await http.PostAsJsonAsync("/api/jobs", new { type = "echo", payload = new { text = "after" } });
            if (response.StatusCode == HttpStatusCode.Accepted)
                return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
        Assert.Fail("no enqueue was accepted within 10 s of the database's return");
        return default;
    }
}
