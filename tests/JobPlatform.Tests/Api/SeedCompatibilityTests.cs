using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using JobPlatform.Jobs.Handlers;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Api;

/// <summary>The seed system's own curl commands keep working against the api.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SeedCompatibilityTests(PostgresFixture postgres)
{
    public sealed record NamePayload(string Name);

    public sealed record SecondsPayload(int Seconds = 120);

    private sealed class Nothing<T> : IJob<T>
    {
        public Task ExecuteAsync(T payload, JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task Seed_shortcuts_enqueue_their_job_and_answer_with_its_id()
    {
        var db = await postgres.CreateDatabaseAsync();
        // Register the two types as the worker does, without running them.
        await using (await EngineHost.StartAsync(db, jobs => jobs
            .AddJob<Nothing<NamePayload>, NamePayload>("simple-job")
            .AddJob<Nothing<SecondsPayload>, SecondsPayload>("long-running-job"), o => o.Queues = ["not-processed"]))
        {
        }
        await using var api = new ApiFactory(db);
        using var http = api.CreateClient();

        var simple = await http.GetAsync("/jobs/simple-job?name=MyFirstJob");
        var longRunning = await http.GetAsync("/jobs/long-running-job");

        Assert.Equal(HttpStatusCode.Accepted, simple.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, longRunning.StatusCode);
        var simpleJob = await http.GetFromJsonAsync<JsonElement>(simple.Headers.Location);
        Assert.Equal("MyFirstJob", simpleJob.GetProperty("payload").GetProperty("name").GetString());
        Assert.Equal((await simple.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid(), simpleJob.GetProperty("id").GetGuid());
        var longJob = await http.GetFromJsonAsync<JsonElement>(longRunning.Headers.Location);
        Assert.Equal("long-running-job", longJob.GetProperty("type").GetString());
        Assert.Equal("enqueued", longJob.GetProperty("state").GetString());
    }
}
