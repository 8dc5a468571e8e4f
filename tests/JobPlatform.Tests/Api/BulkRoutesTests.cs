using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.Api;

/// <summary>POST /api/jobs/bulk: streamed into one COPY, all or nothing.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BulkRoutesTests(PostgresFixture postgres) : IAsyncLifetime
{
    private ApiTestHost _host = null!;

    // The worker registers "echo" but takes only a queue nobody uses, so the jobs stay to be counted.
    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(postgres, processing: o => o.Queues = ["nobody-listens"]);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<HttpResponseMessage> PostAsync(string query, string body) =>
        _host.Http.PostAsync($"/api/jobs/bulk?{query}", new StringContent(body, Encoding.UTF8, "application/json"));

    private static string Payloads(int count) => "[" + string.Join(",", Enumerable.Range(0, count).Select(i => $$"""{"text": "{{i}}"}""")) + "]";

    [Fact]
    public async Task A_hundred_thousand_jobs_go_in_one_request_with_their_ids_in_order()
    {
        var response = await PostAsync("type=echo&priority=3&tag=bulk&tag=test", Payloads(100_000));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(100_000, body.GetProperty("count").GetInt32());
        var ids = body.GetProperty("ids").EnumerateArray().Select(i => i.GetGuid()).ToList();
        Assert.Equal(100_000, ids.Distinct().Count());
        Assert.Equal(100_000, await Sql.ScalarAsync(_host.Db, "SELECT count(*) FROM jobplatform.jobs WHERE priority = 3 AND tags = '{bulk,test}'"));
        var last = await _host.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{ids[^1]}");
        Assert.Equal("99999", last.GetProperty("payload").GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("""[{"text": "a"}, {"text": "b"}, 3]""", "[2]")]
    [InlineData("""[{"text": "a"}, {"text": 7}]""", "[1].text")]
    [InlineData("""[{"text": "a"}, {}]""", "[1]")]
    [InlineData("""{"text": "not an array"}""", "body")]
    [InlineData("""[{"text": "a"}, """, "body")]
    public async Task One_bad_payload_rejects_the_request_and_enqueues_nothing(string body, string field)
    {
        var response = await PostAsync("type=echo", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{problem}");
        Assert.Equal(0, await Sql.ScalarAsync(_host.Db, "SELECT count(*) FROM jobplatform.jobs"));
    }

    [Fact]
    public async Task More_than_a_hundred_thousand_jobs_get_413_and_nothing_is_enqueued()
    {
        var response = await PostAsync("type=echo", Payloads(100_001));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, await Sql.ScalarAsync(_host.Db, "SELECT count(*) FROM jobplatform.jobs"));
    }

    [Fact]
    public async Task An_unknown_type_or_bad_options_get_400_naming_them()
    {
        var unknown = await PostAsync("type=nope", Payloads(1));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("echo", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("knownTypes").ToString());

        foreach (var (query, field) in new[] { ("", "type"), ("type=echo&priority=9999", "priority"), ("type=echo&maxAttempts=0", "maxAttempts") })
        {
            var response = await PostAsync(query, Payloads(1));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), query);
        }
    }
}
