using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JobPlatform.Jobs.Scheduling;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Api;

/// <summary>A schedule a worker declares in code, as the api shows it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SchedulesApiTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_schedule_declared_by_a_worker_is_listed_with_its_next_occurrences_and_its_last_job()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var worker = await EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(new Executions());
            jobs.AddJob<EchoJob, EchoPayload>("echo")
                .AddSchedule("every-second", "* * * * * *", "echo", new EchoPayload("tick"), s => s with { TimeZone = "Europe/Paris" });
            jobs.Services.Configure<SchedulingOptions>(o => o.Tick = TimeSpan.FromMilliseconds(100));
        });
        await using var api = new ApiFactory(db);
        using var http = api.CreateClient();
        await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE state = 'succeeded' AND unique_key LIKE 'schedule:every-second:%'", 1);

        var list = await http.GetFromJsonAsync<JsonElement>("/api/schedules");
        var schedule = Assert.Single(list.EnumerateArray());
        Assert.Equal("every-second", schedule.GetProperty("name").GetString());
        Assert.Equal("Europe/Paris", schedule.GetProperty("timeZone").GetString());
        Assert.Equal("code", schedule.GetProperty("source").GetString());
        Assert.Equal("tick", schedule.GetProperty("payload").GetProperty("text").GetString());
        var next = schedule.GetProperty("nextOccurrences").EnumerateArray().Select(o => o.GetDateTimeOffset()).ToList();
        Assert.Equal(5, next.Count);
        Assert.All(next.Zip(next.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second - pair.First));
        Assert.NotEqual(JsonValueKind.Null, schedule.GetProperty("lastJobId").ValueKind);

        var one = await http.GetAsync("/api/schedules/every-second");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        var missing = await http.GetAsync("/api/schedules/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }
}
