using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using JobPlatform.Jobs;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.Api;

/// <summary>The api over HTTP, with an in-process worker offering <c>echo</c>, both on one test database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class JobsApiTests(PostgresFixture postgres) : IAsyncLifetime
{
    private ApiTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(postgres);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Post_enqueues_and_answers_202_with_id_and_location_and_the_job_succeeds()
    {
        var response = await _host.Http.PostAsJsonAsync("/api/jobs", new { type = "echo", payload = new { text = "hi" } });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/api/jobs/{id}", response.Headers.Location?.ToString());

        await _host.Worker.WaitForStateAsync(id, TimeSpan.FromSeconds(30), JobState.Succeeded);
        var job = await _host.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal("echo", job.GetProperty("type").GetString());
        Assert.Equal("default", job.GetProperty("queue").GetString());
        Assert.Equal(1, job.GetProperty("attempt").GetInt32());
        Assert.Equal("hi", job.GetProperty("payload").GetProperty("text").GetString());
        foreach (var field in new[] { "createdAt", "startedAt", "finishedAt" })
            Assert.Equal(JsonValueKind.String, job.GetProperty(field).ValueKind);
        Assert.Equal(JsonValueKind.Null, job.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task Unknown_job_type_is_a_400_listing_the_known_types()
    {
        var response = await _host.Http.PostAsJsonAsync("/api/jobs", new { type = "no-such-job" });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "type");
        Assert.Equal(["echo"], problem.GetProperty("knownTypes").EnumerateArray().Select(t => t.GetString()));
    }

    [Theory]
    [InlineData("{\"type\": \"echo\", ", "body")]                          // truncated
    [InlineData("[1, 2]", "body")]                                         // not an object
    [InlineData("{\"type\": 42}", "type")]                                 // wrong JSON type
    [InlineData("{\"type\": \"echo\", \"priority\": \"high\"}", "priority")]
    [InlineData("{\"type\": \"echo\", \"payload\": [1]}", "payload")]      // payload not an object
    [InlineData("{\"payload\": {}}", "type")]                              // type missing
    [InlineData("{\"type\": \"Bad Name!\"}", "type")]
    [InlineData("{\"type\": \"echo\", \"maxAttempts\": 0}", "maxAttempts")]
    [InlineData("{\"type\": \"echo\", \"priority\": 100000}", "priority")]
    [InlineData("{\"type\": \"echo\", \"payload\": {\"text\": \"a\\u0000b\"}}", "payload.text")] // valid JSON PostgreSQL cannot store
    [InlineData("{\"type\": \"echo\", \"tags\": [\"a\\u0000\"]}", "tags")]
    [InlineData("{\"type\": \"echo\", \"uniqueKey\": \"\\u0000\"}", "uniqueKey")]
    public async Task Malformed_body_is_a_400_problem_naming_the_field(string body, string field)
    {
        var response = await _host.Http.PostAsync("/api/jobs", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Empty_body_is_a_400_problem()
    {
        var response = await _host.Http.PostAsync("/api/jobs", new StringContent("", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unknown_job_id_is_a_404_problem()
    {
        var response = await _host.Http.GetAsync($"/api/jobs/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Job_types_list_what_workers_registered_with_their_schema()
    {
        var types = await _host.Http.GetFromJsonAsync<JsonElement>("/api/job-types");

        var echo = Assert.Single(types.EnumerateArray());
        Assert.Equal("echo", echo.GetProperty("name").GetString());
        Assert.True(echo.GetProperty("payloadSchema").GetProperty("properties").TryGetProperty("text", out _));
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task Health_endpoints_answer_healthy_without_detail(string path)
    {
        var response = await _host.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_are_served_in_prometheus_text_format()
    {
        await _host.Http.PostAsJsonAsync("/api/jobs", new { type = "echo", payload = new { text = "m" } });

        var response = await _host.Http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE jobplatform_jobs_enqueued_total counter", text);
        Assert.Contains("jobplatform_jobs_enqueued_total{", text);
    }

    [Fact]
    public async Task Prometheus_targets_list_each_worker_with_the_host_replaced()
    {
        var targets = await _host.Http.GetFromJsonAsync<JsonElement>("/api/servers/prometheus-targets?host=host.docker.internal");

        // The in-process worker is not a web host, so it has no endpoint and is not a target.
        Assert.Empty(targets.EnumerateArray());
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for '{field}' in {text}");
        return problem;
    }
}
