extern alias api;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using api::JobPlatform.Api.Validation;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace JobPlatform.Tests.Api;

/// <summary>The api's check of payloads against the schemas workers registered, and how it keeps them.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PayloadSchemasTests(PostgresFixture postgres)
{
    /// <summary>
    /// Many callers at once, each needing the schemas loaded (a type no worker offers was not kept): every answer is a
    /// 400. Before, each request built every schema itself, concurrently, through JsonSchema.Net's global registry,
    /// which is not safe for that: CI saw 500s, and once corrupted the registry failed every later build.
    /// </summary>
    [Fact]
    public async Task Concurrent_checks_of_known_and_unknown_types_are_all_answered_400()
    {
        var db = await RegisterEchoAsync();
        // Forty more types with echo's schema: each load builds them all, so concurrent loads overlap for long.
        await Sql.ExecuteAsync(db, """
            INSERT INTO jobplatform.job_types (name, queue, max_attempts, payload_schema, updated_at)
            SELECT 'echo-' || n, queue, max_attempts, payload_schema, now()
            FROM jobplatform.job_types, generate_series(1, 40) n WHERE name = 'echo'
            """);
        await using var api = new ApiFactory(db);
        using var http = api.CreateClient();

        var statuses = new List<HttpStatusCode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1_200), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (n, ct) =>
        {
            object request = n % 2 == 0
                ? new { type = $"no-such-type-{n % 7}", payload = new { } }
                : new { type = "echo", payload = new { text = 5 } }; // refused by echo's schema
            using var response = await http.PostAsJsonAsync("/api/jobs", request, ct);
            lock (statuses) statuses.Add(response.StatusCode);
        });

        Assert.Equal("400 × 1200", string.Join(", ", statuses.CountBy(status => (int)status).Select(c => $"{c.Key} × {c.Value}")));
        Assert.Equal(0, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.jobs"));
    }

    [Fact]
    public async Task A_type_registered_after_a_miss_is_checked_within_a_second_and_an_unreadable_schema_checks_nothing()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var api = new ApiFactory(db);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var log = new FakeLogger<PayloadSchemas>();
        var schemas = new PayloadSchemas(api.Services.GetRequiredService<IServiceScopeFactory>(), clock, log);
        var wrong = JsonDocument.Parse("""{"text": 5}""").RootElement;

        Assert.Null(await schemas.SchemaAsync("echo", CancellationToken.None)); // no worker yet
        await RegisterEchoAsync(db);
        Assert.Null(await schemas.SchemaAsync("echo", CancellationToken.None)); // the miss is kept for a second...
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains("payload.text", (await schemas.ValidateAsync("echo", wrong, CancellationToken.None)).Keys); // ...then looked up again

        // A schema JsonSchema.Net cannot read ("type" must name a type): payloads of that type go unchecked, no error.
        await Sql.ExecuteAsync(db, """UPDATE jobplatform.job_types SET payload_schema = '{"type": 12}' WHERE name = 'echo'""");
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.NotEmpty(await schemas.ValidateAsync("echo", wrong, CancellationToken.None)); // still the schema read 9 s ago
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(await schemas.ValidateAsync("echo", wrong, CancellationToken.None));
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(await schemas.ValidateAsync("echo", wrong, CancellationToken.None));
        var warning = Assert.Single(log.Collector.GetSnapshot()); // said once, not at every load
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("echo", warning.Message);
    }

    /// <summary>A worker registers <c>echo</c> (payload <c>{"text": string}</c>), then leaves.</summary>
    private async Task<string> RegisterEchoAsync(string? db = null)
    {
        db ??= await postgres.CreateDatabaseAsync();
        await using var worker = await EngineHost.StartEchoWorkerAsync(db);
        return db;
    }
}
