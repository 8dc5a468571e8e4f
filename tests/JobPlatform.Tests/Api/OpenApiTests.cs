using System.Net.Http.Json;
using System.Text.Json;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.Api;

/// <summary>The OpenAPI document: every route, the API-key scheme, and examples.</summary>
[Collection(PostgresCollection.Name)]
public sealed class OpenApiTests(PostgresFixture postgres)
{
    [Fact]
    public async Task The_document_describes_every_route_the_key_and_examples()
    {
        await using var factory = new ApiFactory(await postgres.CreateDatabaseAsync());
        using var client = factory.CreateClient(key: null);

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        string[] expected =
        [
            "/api/jobs", "/api/jobs/bulk", "/api/jobs/{id}", "/api/jobs/{id}/cancel", "/api/jobs/{id}/retry", "/api/job-types",
            "/api/schedules", "/api/schedules/{name}", "/api/schedules/{name}/pause", "/api/schedules/{name}/resume",
            "/api/schedules/{name}/trigger", "/api/queues", "/api/queues/{name}/pause", "/api/queues/{name}/resume",
            "/api/stats", "/api/servers", "/jobs/simple-job", "/jobs/long-running-job",
        ];
        Assert.All(expected, path => Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing"));
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        var example = paths.GetProperty("/api/jobs").GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal("flaky-job", example.GetProperty("type").GetString());
    }
}
