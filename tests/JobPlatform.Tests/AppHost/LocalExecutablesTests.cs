using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.AppHost;

/// <summary>
/// The AppHost on a machine without a container runtime and without a connection string: PostgreSQL and
/// Prometheus come from the machine's installation (Debian's postgresql and prometheus, which .ci/run installs),
/// run by Aspire as executables, with their data in a folder that outlives the AppHost.
/// </summary>
[Collection(PostgresCollection.Name)] // not for its server: to run alone, as every AppHost test does
public sealed class LocalExecutablesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task The_model_runs_postgres_and_prometheus_as_executables()
    {
        using var folder = new TemporaryFolder();
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.JobPlatform_AppHost>(
            ["JobPlatform:Infrastructure=local", $"JobPlatform:Local:DataDirectory={folder.Path}"]);
        var resources = appHost.Resources.ToDictionary(r => r.Name);

        Assert.IsType<ExecutableResource>(resources["postgres"]);
        Assert.True(resources.ContainsKey("prometheus"), "Prometheus is not installed: apt-get install prometheus (.ci/run does).");
        Assert.IsType<ExecutableResource>(resources["prometheus"]);
        Assert.IsAssignableFrom<IResourceWithConnectionString>(resources["jobsdb"]);
        Assert.Equal(2, resources["worker"].Annotations.OfType<ReplicaAnnotation>().Single().Replicas);
        Assert.DoesNotContain(resources.Values, r => r is ContainerResource);
        // Nothing is created until the AppHost starts.
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task Without_a_connection_string_it_runs_the_installed_PostgreSQL_and_Prometheus_and_keeps_the_data()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var folder = new TemporaryFolder();
        Guid id;

        await using (var app = await LocalAppHost.StartAsync(folder.Path, cts.Token))
        {
            Assert.True(app.ResourceNotifications.TryGetCurrentState("infrastructure", out var infrastructure));
            Assert.Equal("Local executables", infrastructure.Snapshot.State?.Text);
            // The api resource links the jobs dashboard and the API reference.
            Assert.True(app.ResourceNotifications.TryGetCurrentState("api", out var apiState));
            Assert.Contains(apiState.Snapshot.Urls, u => u.DisplayProperties.DisplayName == "Jobs dashboard" && u.Url.EndsWith("/dashboard"));

            using var api = ApiClient(app);
            id = await JobsOverHttp.EnqueueAsync(api, new { type = "simple-job", payload = new { name = "local" } });
            Assert.Equal("succeeded", await JobsOverHttp.WaitForTerminalStateAsync(api, id));

            // Prometheus, configured for this run's ports, scrapes the api and each worker instance.
            await app.ResourceNotifications.WaitForResourceHealthyAsync("prometheus", cts.Token);
            using var prometheus = app.CreateHttpClient("prometheus", "http");
            var targets = await new PrometheusApi(prometheus).WaitForTargetsUpAsync(api: 1, workers: 2, TimeSpan.FromSeconds(90));
            Assert.All(targets, t => Assert.StartsWith("http://127.0.0.1:", t));
        }

        // Stopped with the AppHost, cleanly: no server left holding the data folder.
        var data = Directory.GetDirectories(Path.Combine(folder.Path, "postgres"), "data").Single();
        Assert.False(File.Exists(Path.Combine(data, "postmaster.pid")), "PostgreSQL still runs after the AppHost stopped");

        // The next run opens the same data: the job is still there.
        await using (var app = await LocalAppHost.StartAsync(folder.Path, cts.Token))
        {
            using var api = ApiClient(app);
            var job = await api.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}", cts.Token);
            Assert.Equal("succeeded", job.GetProperty("state").GetString());
        }
    }

    /// <summary>No key: by default the AppHost's api is open to this machine, and to this machine only.</summary>
    private static HttpClient ApiClient(DistributedApplication app) => app.CreateHttpClient("api");
}
