extern alias bench;

using bench::JobPlatform.Benchmarks.Load;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.Api;

/// <summary>The load generator against the api and a worker, with bad requests among the good ones.</summary>
[Collection(PostgresCollection.Name)]
public sealed class LoadGeneratorTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Load_at_a_rate_is_accepted_and_every_job_is_followed_to_its_end()
    {
        var result = await RunAsync(new LoadOptions(new Uri("http://localhost"), Rate: 50, Concurrency: 4,
            Duration: TimeSpan.FromSeconds(2), Type: "echo", PayloadJson: """{"text": "load"}""",
            CompletionWait: TimeSpan.FromSeconds(30)));

        Assert.Empty(result.Errors);
        Assert.InRange(result.Accepted, 60, 110);
        Assert.Equal(result.Accepted, result.Finished);
        Assert.Equal(result.Accepted, result.LatenciesMs.Count);
        Assert.All(result.QueueWaitsMs, wait => Assert.True(wait >= 0));
    }

    [Fact]
    public async Task Rejected_requests_are_counted_by_status()
    {
        var result = await RunAsync(new LoadOptions(new Uri("http://localhost"), Rate: null, Concurrency: 2,
            Duration: TimeSpan.FromSeconds(2), Type: "no-such-type", PayloadJson: "{}",
            CompletionWait: TimeSpan.FromSeconds(5)));

        Assert.Equal(0, result.Accepted);
        var (status, count) = Assert.Single(result.Errors);
        Assert.Equal("400 Bad Request", status);
        Assert.True(count > 0);
    }

    /// <summary>Runs the generator against the in-memory api, with a worker offering <c>echo</c>.</summary>
    private async Task<LoadResult> RunAsync(LoadOptions options)
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var worker = await EngineHost.StartEchoWorkerAsync(db);
        await using var api = new ApiFactory(db);
        using var http = api.CreateClient();
        // Warm: a first request on a cold api (JIT, the type registry) can outlast a short run on a busy machine, and
        // a request still in flight when the run ends is not counted, by design.
        using (var warm = await http.GetAsync("/api/job-types")) warm.EnsureSuccessStatusCode();
        return await new LoadGenerator(http, options).RunAsync(CancellationToken.None);
    }
}
