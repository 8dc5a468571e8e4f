using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JobPlatform.Jobs;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.Api;

/// <summary>/api/schedules, /api/queues and /api/stats over HTTP.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ScheduleAndQueueRoutesTests(PostgresFixture postgres) : IAsyncLifetime
{
    private ApiTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(postgres);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_schedule_is_created_read_replaced_paused_resumed_triggered_and_deleted()
    {
        var create = await _host.Http.PostAsJsonAsync("/api/schedules", new
        {
            name = "nightly", cron = "0 3 * * *", type = "echo", payload = new { text = "night" }, timeZone = "Europe/Berlin",
            misfire = "skip", overlap = "skip", priority = 3,
        });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.Equal("/api/schedules/nightly", create.Headers.Location?.ToString());
        var created = await create.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("skip", "skip", 5), (created.GetProperty("misfire").GetString(), created.GetProperty("overlap").GetString(),
            created.GetProperty("nextOccurrences").GetArrayLength()));

        var duplicate = await _host.Http.PostAsJsonAsync("/api/schedules", new { name = "nightly", cron = "0 3 * * *", type = "echo", payload = new { text = "again" } });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);

        var replaced = await _host.Http.PutAsJsonAsync("/api/schedules/nightly", new { cron = "*/10 * * * *", type = "echo", payload = new { text = "ten" } });
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("*/10 * * * *", (await replaced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cron").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Http.PutAsJsonAsync("/api/schedules/missing", new { cron = "* * * * *", type = "echo", payload = new { text = "x" } })).StatusCode);
        var unfit = await _host.Http.PutAsJsonAsync("/api/schedules/nightly", new { cron = "* * * * *", type = "echo", payload = new { text = 5 } });
        Assert.Equal(HttpStatusCode.BadRequest, unfit.StatusCode); // the payload against echo's schema, as on create
        Assert.True((await unfit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("payload.text", out _));
        Assert.Equal("*/10 * * * *", (await _host.Http.GetFromJsonAsync<JsonElement>("/api/schedules/nightly")).GetProperty("cron").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await _host.Http.PostAsync("/api/schedules/nightly/pause", null)).StatusCode);
        Assert.True((await _host.Http.GetFromJsonAsync<JsonElement>("/api/schedules/nightly")).GetProperty("paused").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, (await _host.Http.PostAsync("/api/schedules/nightly/resume", null)).StatusCode);
        Assert.False((await _host.Http.GetFromJsonAsync<JsonElement>("/api/schedules/nightly")).GetProperty("paused").GetBoolean());

        var trigger = await _host.Http.PostAsync("/api/schedules/nightly/trigger", null);
        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
        var job = (await trigger.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await _host.Worker.WaitForStateAsync(job, TimeSpan.FromSeconds(30), JobState.Succeeded);

        Assert.Equal(HttpStatusCode.NoContent, (await _host.Http.DeleteAsync("/api/schedules/nightly")).StatusCode);
        foreach (var missing in new[] { "pause", "resume", "trigger" })
            Assert.Equal(HttpStatusCode.NotFound, (await _host.Http.PostAsync($"/api/schedules/nightly/{missing}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Http.DeleteAsync("/api/schedules/nightly")).StatusCode);
    }

    [Theory]
    [InlineData("""{"name": "s", "cron": "61 * * * *", "type": "echo"}""", "cron", HttpStatusCode.BadRequest)]
    [InlineData("""{"name": "s", "cron": "* * *", "type": "echo"}""", "cron", HttpStatusCode.BadRequest)]
    [InlineData("""{"name": "s", "cron": "* * * * *", "type": "echo", "timeZone": "Mars/Olympus"}""", "timeZone", HttpStatusCode.BadRequest)]
    [InlineData("""{"name": "s", "cron": "* * * * *", "type": "echo", "misfire": "later"}""", "misfire", HttpStatusCode.BadRequest)]
    [InlineData("""{"name": "s", "cron": "* * * * *", "type": "echo", "overlap": "queue"}""", "overlap", HttpStatusCode.BadRequest)]
    [InlineData("""{"name": "S P A C E", "cron": "* * * * *", "type": "echo"}""", "name", HttpStatusCode.BadRequest)]
    [InlineData("""{"name": "s", "cron": "* * * * *", "type": "echo", "maxAttempts": 1000}""", "maxAttempts", HttpStatusCode.BadRequest)]
    [InlineData("""{"name": "s", "cron": "* * * * *", "type": "nobody-offers-this"}""", "type", HttpStatusCode.BadRequest)]
    [InlineData("""{"name": "s", "cron": "* * * * *", "type": "echo", "payload": {"text": 5}}""", "payload.text", HttpStatusCode.BadRequest)]
    public async Task A_bad_schedule_gets_problem_details_naming_the_field(string body, string field, HttpStatusCode status)
    {
        var response = await _host.Http.PostAsync("/api/schedules", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(status, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{problem}");
    }

    [Fact]
    public async Task A_paused_queue_holds_its_jobs_until_resumed_and_stats_count_by_state_and_queue()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await _host.Http.PostAsync("/api/queues/default/pause", null)).StatusCode);
        var id = (await (await _host.Http.PostAsJsonAsync("/api/jobs", new { type = "echo", payload = new { text = "held" } }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await Task.Delay(1000);
        Assert.Equal("enqueued", (await _host.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}")).GetProperty("state").GetString());

        var queues = await _host.Http.GetFromJsonAsync<JsonElement>("/api/queues");
        var queue = queues.EnumerateArray().Single(q => q.GetProperty("name").GetString() == "default");
        Assert.True(queue.GetProperty("paused").GetBoolean());
        Assert.Equal(1, queue.GetProperty("counts").GetProperty("enqueued").GetInt64());

        Assert.Equal(HttpStatusCode.NoContent, (await _host.Http.PostAsync("/api/queues/default/resume", null)).StatusCode);
        await _host.Worker.WaitForStateAsync(id, TimeSpan.FromSeconds(30), JobState.Succeeded);
        var stats = await _host.Http.GetFromJsonAsync<JsonElement>("/api/stats");
        Assert.Equal(1, stats.GetProperty("byState").GetProperty("succeeded").GetInt64());
        Assert.False(stats.GetProperty("byQueue")[0].GetProperty("paused").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Http.PostAsync("/api/queues/NOT%20A%20QUEUE/pause", null)).StatusCode);
    }
}
