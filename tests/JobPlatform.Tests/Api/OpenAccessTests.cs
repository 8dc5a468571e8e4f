using System.Net;
using System.Net.Sockets;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.Api;

/// <summary>
/// An api without keys (or a dashboard without a login) is open to whoever reaches it, so it may listen on loopback
/// only: nothing is granted by the caller's address (issue 17). The telemetry port is the exception: it serves
/// only what is anonymous anyway, so it may listen everywhere, for a Prometheus in a container.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OpenAccessTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Without_keys_on_loopback_the_api_and_the_dashboard_serve_without_credentials()
    {
        await using var api = new ApiFactory(await postgres.CreateDatabaseAsync(), open: true);
        using var http = new HttpClient { BaseAddress = new Uri(api.StartOnKestrel()) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/jobs")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/queues/default/pause", null)).StatusCode); // an admin's change
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/dashboard")).StatusCode);
    }

    [Theory]
    [InlineData(false, "the api has no API key")]
    [InlineData(true, "the jobs dashboard has no login")] // a key, but no dashboard user
    public async Task Open_access_refuses_to_start_on_an_address_other_machines_reach(bool withKey, string what)
    {
        var settings = withKey ? new Dictionary<string, string> { ["JobPlatform:Api:AdminKeys:0"] = ApiFactory.AdminKey } : null;
        await using var api = new ApiFactory(await postgres.CreateDatabaseAsync(), settings, open: true);
        api.UseKestrel(kestrel => kestrel.Listen(IPAddress.Any, 0));

        var refused = Record.Exception(api.StartServer);

        Assert.NotNull(refused);
        Assert.Contains(what, refused.ToString());
        Assert.Contains("other machines can reach", refused.ToString());
    }

    [Fact]
    public async Task The_telemetry_port_may_listen_everywhere_and_serves_telemetry_only()
    {
        var telemetry = FreePort();
        await using var api = new ApiFactory(await postgres.CreateDatabaseAsync(),
            new Dictionary<string, string> { ["JobPlatform:Api:TelemetryPort"] = telemetry.ToString() }, open: true);
        api.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Listen(IPAddress.Any, telemetry);
        });
        api.StartServer(); // open, yet it starts: its only listener beyond loopback is the telemetry port

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{telemetry}") };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/servers/prometheus-targets")).StatusCode);
        foreach (var path in new[] { "/api/jobs", "/jobs/simple-job?name=x", "/dashboard", "/scalar", "/" })
        {
            using var answer = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
