using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Npgsql;

namespace JobPlatform.Tests.Api;

/// <summary>Every /api/jobs route over HTTP: all enqueue options, listing, cancel, retry and delete, and their 4xx answers.</summary>
[Collection(PostgresCollection.Name)]
public sealed class JobRoutesTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private ApiTestHost _host = null!;

    // The worker takes only the default queue: jobs sent to "parked" wait there.
    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(postgres, jobs => jobs.AddJob<AlwaysFailingJob, EchoPayload>("always-fails", o => o.MaxAttempts = 1));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string url, object? body = null)
    {
        var response = await _host.Http.PostAsJsonAsync(url, body ?? new { });
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text));
    }

    private Task<JsonElement> GetJobAsync(Guid id) => _host.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");

    [Fact]
    public async Task Every_enqueue_option_reaches_the_job()
    {
        var parent = (await PostAsync("/api/jobs", new { type = "echo", queue = "parked", payload = new { text = "p" } })).Body.GetProperty("id").GetGuid();
        var (status, body) = await PostAsync("/api/jobs", new
        {
            type = "echo", payload = new { text = "all options" }, queue = "parked", priority = 7, maxAttempts = 4,
            delaySeconds = 3600, timeoutSeconds = 30, uniqueKey = "order-42", tags = new[] { "a", "b" },
            retryIntervalsSeconds = new[] { 1.5, 10 }, continueAfter = parent, continueOn = "always",
        });
        Assert.Equal(HttpStatusCode.Accepted, status);
        var job = await GetJobAsync(body.GetProperty("id").GetGuid());

        Assert.Equal("awaiting", job.GetProperty("state").GetString()); // a continuation waits for its parent
        Assert.Equal(parent, job.GetProperty("parentId").GetGuid());
        Assert.Equal("parked", job.GetProperty("queue").GetString());
        Assert.Equal(7, job.GetProperty("priority").GetInt32());
        Assert.Equal(4, job.GetProperty("maxAttempts").GetInt32());
        Assert.Equal("order-42", job.GetProperty("uniqueKey").GetString());
        Assert.Equal(["a", "b"], job.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.InRange(job.GetProperty("runAt").GetDateTimeOffset() - job.GetProperty("createdAt").GetDateTimeOffset(),
            TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
    }

    [Fact]
    public async Task A_duplicate_unique_key_answers_200_with_the_existing_job()
    {
        var first = await PostAsync("/api/jobs", new { type = "echo", queue = "parked", uniqueKey = "invoice-7", payload = new { text = "p" } });
        var second = await PostAsync("/api/jobs", new { type = "echo", queue = "parked", uniqueKey = "invoice-7", payload = new { text = "p" } });

        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        Assert.True(first.Body.GetProperty("created").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.False(second.Body.GetProperty("created").GetBoolean());
        Assert.Equal(first.Body.GetProperty("id").GetGuid(), second.Body.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task The_list_filters_and_pages_with_a_cursor()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
            ids.Add((await PostAsync("/api/jobs", new { type = "echo", queue = "parked", tags = new[] { "listed" }, payload = new { text = "p" } })).Body.GetProperty("id").GetGuid());
        await PostAsync("/api/jobs", new { type = "echo", queue = "parked", tags = new[] { "other" }, payload = new { text = "p" } });

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await _host.Http.GetFromJsonAsync<JsonElement>($"/api/jobs?tag=listed&state=enqueued&queue=parked&limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(ids), seen); // newest first, each once
        var typed = await _host.Http.GetFromJsonAsync<JsonElement>($"/api/jobs?type=echo&createdFrom={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"))}&limit=500");
        Assert.True(typed.GetProperty("items").GetArrayLength() >= 6);
        foreach (var bad in new[] { "state=sleeping", "limit=0", "limit=501", "cursor=nope" })
        {
            var response = await _host.Http.GetAsync($"/api/jobs?{bad}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(bad.Split('=')[0], await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Cancel_retry_and_delete_answer_with_what_happened()
    {
        var waiting = (await PostAsync("/api/jobs", new { type = "echo", queue = "parked", payload = new { text = "p" } })).Body.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync($"/api/jobs/{waiting}/cancel")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync($"/api/jobs/{waiting}/cancel")).Status); // finished now
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync($"/api/jobs/{Guid.NewGuid()}/cancel")).Status);

        // A retried cancelled job goes back to enqueued; a failed one runs again and fails again.
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync($"/api/jobs/{waiting}/retry")).Status);
        Assert.Equal("enqueued", (await GetJobAsync(waiting)).GetProperty("state").GetString());
        var failing = (await PostAsync("/api/jobs", new { type = "always-fails", payload = new { text = "x" } })).Body.GetProperty("id").GetGuid();
        await _host.Worker.WaitForStateAsync(failing, Timeout, JobState.Failed);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync($"/api/jobs/{failing}/retry")).Status);
        await Sql.WaitUntilAsync(_host.Db,
            $"SELECT count(*) FROM jobplatform.job_attempts WHERE job_id = '{failing}'", 2, Timeout);
        var echo = (await PostAsync("/api/jobs", new { type = "echo", payload = new { text = "ok" } })).Body.GetProperty("id").GetGuid();
        await _host.Worker.WaitForStateAsync(echo, Timeout, JobState.Succeeded);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync($"/api/jobs/{echo}/retry")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync($"/api/jobs/{Guid.NewGuid()}/retry")).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await _host.Http.DeleteAsync($"/api/jobs/{echo}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Http.GetAsync($"/api/jobs/{echo}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Http.DeleteAsync($"/api/jobs/{echo}")).StatusCode);
    }

    /// <summary>
    /// A delete waits for a caller's open transaction that enqueues a continuation of the job, but not for as long
    /// as the caller likes: after two seconds it is a conflict, not a request that hangs.
    /// </summary>
    [Fact]
    public async Task Deleting_a_job_an_open_transaction_holds_is_a_conflict()
    {
        var parent = (await PostAsync("/api/jobs", new { type = "echo", queue = "parked", payload = new { text = "p" } })).Body.GetProperty("id").GetGuid();
        await using var connection = new NpgsqlConnection(_host.Db);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await _host.Worker.WithClientAsync(c => c.EnqueueAsync(transaction, "echo", new EchoPayload("child"), new EnqueueOptions { ContinueAfter = parent, Queue = "parked" }));

        var response = await _host.Http.DeleteAsync($"/api/jobs/{parent}").WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("another transaction", await response.Content.ReadAsStringAsync());

        await transaction.RollbackAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await _host.Http.DeleteAsync($"/api/jobs/{parent}")).StatusCode);
    }

    /// <summary>A retry that would give a unique key to a second unfinished job was a 500 (the unique index refused it).</summary>
    [Fact]
    public async Task Retrying_a_job_whose_unique_key_another_unfinished_job_holds_is_a_conflict()
    {
        var first = (await PostAsync("/api/jobs", new { type = "echo", queue = "parked", uniqueKey = "nightly", payload = new { text = "1" } })).Body.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync($"/api/jobs/{first}/cancel")).Status);
        var second = (await PostAsync("/api/jobs", new { type = "echo", queue = "parked", uniqueKey = "nightly", payload = new { text = "2" } })).Body.GetProperty("id").GetGuid();
        Assert.NotEqual(first, second);

        var (status, body) = await PostAsync($"/api/jobs/{first}/retry");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("unique key", body.GetProperty("title").GetString());
        Assert.Equal("cancelled", (await GetJobAsync(first)).GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("""{"type": "echo", "priority": 5000}""", "priority")]
    [InlineData("""{"type": "echo", "maxAttempts": 0}""", "maxAttempts")]
    [InlineData("""{"type": "echo", "delaySeconds": -1}""", "delaySeconds")]
    [InlineData("""{"type": "echo", "timeoutSeconds": 0}""", "timeoutSeconds")]
    [InlineData("""{"type": "echo", "uniqueKey": ""}""", "uniqueKey")]
    [InlineData("""{"type": "echo", "tags": [""]}""", "tags")]
    [InlineData("""{"type": "echo", "retryIntervalsSeconds": [-3]}""", "retryIntervalsSeconds")]
    [InlineData("""{"type": "echo", "continueOn": "always"}""", "continueOn")]
    [InlineData("""{"type": "echo", "payload": [1, 2]}""", "payload")]
    [InlineData("""{"type": "Not A Name"}""", "type")]
    [InlineData("""{"type": "echo", "priority": "high"}""", "priority")]
    [InlineData("""{"type": "echo",""", "body")]
    [InlineData("""{"type": "echo", "payload": {"text": 5}}""", "payload.text")]
    [InlineData("""{"type": "echo", "payload": {}}""", "payload")]
    [InlineData("""{"type": "echo", "payload": {"text": "x", "extra": 1}}""", "payload.extra")]
    public async Task Bad_input_gets_400_problem_details_naming_the_field(string body, string field)
    {
        var response = await _host.Http.PostAsync("/api/jobs", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors: {problem.GetProperty("errors")}");
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_413()
    {
        var huge = "{\"type\": \"echo\", \"payload\": {\"text\": \"" + new string('x', 1_100_000) + "\"}}";
        var response = await _host.Http.PostAsync("/api/jobs", new StringContent(huge, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
