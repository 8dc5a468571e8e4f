extern alias api;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JobPlatform.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace JobPlatform.Tests.Api;

/// <summary>API keys: none, wrong, read-only and admin, on reading and on changing routes; health and metrics stay open.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AuthenticationTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Every_route_but_health_and_metrics_needs_a_key_and_changes_need_an_admin_key()
    {
        await using var factory = new ApiFactory(await postgres.CreateDatabaseAsync());
        using var none = factory.CreateClient(key: null);
        using var wrong = factory.CreateClient("not-a-key");
        using var reader = factory.CreateClient(ApiFactory.ReadOnlyKey);
        using var admin = factory.CreateClient(ApiFactory.AdminKey);

        foreach (var path in new[] { "/api/jobs", "/api/job-types", "/api/schedules", "/api/queues", "/api/stats", "/api/servers" })
        {
            var missing = await none.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
            Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(path)).StatusCode);
        }

        // A read-only key may not change anything: 403 before any validation or work.
        var changes = new Func<HttpClient, Task<HttpResponseMessage>>[]
        {
            c => c.PostAsJsonAsync("/api/jobs", new { type = "echo" }),
            c => c.PostAsJsonAsync("/api/jobs/bulk?type=echo", new[] { new { text = "x" } }),
            c => c.PostAsync($"/api/jobs/{Guid.NewGuid()}/cancel", null),
            c => c.PostAsync($"/api/jobs/{Guid.NewGuid()}/retry", null),
            c => c.DeleteAsync($"/api/jobs/{Guid.NewGuid()}"),
            c => c.PostAsJsonAsync("/api/schedules", new { name = "x", cron = "* * * * *", type = "echo" }),
            c => c.PostAsync("/api/schedules/x/pause", null),
            c => c.DeleteAsync("/api/schedules/x"),
            c => c.PostAsync("/api/queues/default/pause", null),
            c => c.PostAsync("/api/demo/burst?count=1", null),
            c => c.GetAsync("/jobs/simple-job?name=x"),
        };
        foreach (var change in changes)
        {
            var forbidden = await change(reader);
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpStatusCode.Unauthorized, (await change(none)).StatusCode);
            Assert.NotEqual(HttpStatusCode.Forbidden, (await change(admin)).StatusCode);
        }

        foreach (var open in new[] { "/health", "/alive", "/metrics", "/api/servers/prometheus-targets", "/openapi/v1.json", "/scalar" })
            Assert.Equal(HttpStatusCode.OK, (await none.GetAsync(open)).StatusCode);
    }

    [Fact]
    public async Task Outside_development_the_api_refuses_to_start_without_a_key_and_says_how_to_set_one()
    {
        await using var factory = new KeylessApiFactory(await postgres.CreateDatabaseAsync());

        var error = Assert.Throws<InvalidOperationException>(() => factory.CreateClient());
        Assert.Contains("JobPlatform__Api__AdminKeys__0", error.Message);
    }

    [Theory]
    [InlineData("short-key-0123456789", "AdminKeys:0 is 20 characters long")]
    [InlineData("local-dev-key-change-me", "AdminKeys:0 is a documented default")]
    public async Task Outside_development_a_short_or_documented_default_key_stops_the_start(string key, string why)
    {
        await using var factory = new KeylessApiFactory(await postgres.CreateDatabaseAsync(), ("JobPlatform:Api:AdminKeys:0", key));

        var error = Assert.Throws<InvalidOperationException>(() => factory.CreateClient());
        Assert.Contains(why, error.Message);
        Assert.DoesNotContain(key, error.Message); // a key is never logged, not even a weak one
    }

    [Fact]
    public async Task An_admin_key_can_come_from_a_file_such_as_composes_generated_one()
    {
        using var folder = new TemporaryFolder();
        var file = Path.Combine(folder.Path, "api-key");
        const string key = "key-from-a-file-0123456789abcdef01234";
        await File.WriteAllTextAsync(file, key + "\n");
        await using var factory = new KeylessApiFactory(await postgres.CreateDatabaseAsync(), ("JobPlatform:Api:AdminKeyFiles:0", file));
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/queues/default/pause", null)).StatusCode);
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/queues/default/pause", null)).StatusCode);
    }

    // In Development, without keys, the api is open (on loopback only): OpenAccessTests.
    private sealed class KeylessApiFactory(string connectionString, params (string Key, string Value)[] settings) : WebApplicationFactory<api::Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:jobsdb", connectionString);
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            Npgsql.NpgsqlConnection.ClearAllPools();
        }
    }
}
