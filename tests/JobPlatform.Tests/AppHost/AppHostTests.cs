extern alias bench;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using bench::JobPlatform.Benchmarks.Load;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.AppHost;

/// <summary>
/// The whole topology under Aspire, as a user starts it without a container runtime: the AppHost given an
/// existing database (<c>ConnectionStrings:jobsdb</c>) runs the api and two worker replicas.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AppHostTests(PostgresFixture postgres)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task AppHost_with_an_existing_database_runs_the_api_and_two_workers_end_to_end()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var db = await postgres.CreateDatabaseAsync();
        using var folder = new TemporaryFolder();
        await using var app = await LocalAppHost.StartAsync(folder.Path, cts.Token, $"ConnectionStrings:jobsdb={db}");

        // By default the api is open to this machine (AccessTests shows it is to this machine only).
        using var api = app.CreateHttpClient("api");
        var servers = await WaitForServersAsync(api, count: 2, cts.Token);

        // Each sample type is accepted; simple-job and a flaky-job that never fails reach succeeded.
        var simple = await JobsOverHttp.EnqueueAsync(api, new { type = "simple-job", payload = new { name = "Aspire" } });
        var flaky = await JobsOverHttp.EnqueueAsync(api, new { type = "flaky-job", payload = new { failureRate = 0.0 } });
        var longRunning = await JobsOverHttp.EnqueueAsync(api, new { type = "long-running-job", payload = new { seconds = 1 } });
        var seed = await api.GetFromJsonAsync<JsonElement>("/jobs/simple-job?name=MyFirstJob", cts.Token);

        foreach (var id in new[] { simple, flaky, longRunning, seed.GetProperty("id").GetGuid() })
            Assert.Equal("succeeded", await JobsOverHttp.WaitForTerminalStateAsync(api, id));

        // Prometheus scrapes every worker instance directly: each serves /metrics on its own port.
        foreach (var server in servers)
        {
            var endpoint = new UriBuilder(server.GetProperty("endpoint").GetString()!) { Host = "127.0.0.1", Path = "/metrics" }.Uri;
            using var direct = new HttpClient();
            var metrics = await direct.GetStringAsync(endpoint, cts.Token);
            Assert.Contains("# TYPE", metrics);
        }
        using var worker = app.CreateHttpClient("worker");
        Assert.Equal(HttpStatusCode.OK, (await worker.GetAsync("/health", cts.Token)).StatusCode);

        // The load generator against the AppHost's api: every request accepted, every job finished.
        var load = await new LoadGenerator(api, new LoadOptions(api.BaseAddress!, Rate: 25, Concurrency: 4,
            Duration: TimeSpan.FromSeconds(2), Type: "simple-job", PayloadJson: """{"name": "load"}""",
            CompletionWait: TimeSpan.FromSeconds(30))).RunAsync(cts.Token);
        Assert.Empty(load.Errors);
        Assert.InRange(load.Accepted, 20, 60);
        Assert.Equal(load.Accepted, load.FinalStates.GetValueOrDefault("succeeded"));
        Assert.Equal(load.Accepted, load.QueueWaitsMs.Count);
    }

    private static async Task<JsonElement[]> WaitForServersAsync(HttpClient api, int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            var servers = (await api.GetFromJsonAsync<JsonElement>("/api/servers", cancellationToken)).EnumerateArray()
                .Where(s => s.GetProperty("endpoint").ValueKind == JsonValueKind.String).ToArray();
            if (servers.Length >= count)
            {
                Assert.Equal(count, servers.Length);
                return servers;
            }
            await Task.Delay(250, cancellationToken);
        }
    }
}
