using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JobPlatform.Jobs;
using JobPlatform.Jobs.DependencyInjection;
using JobPlatform.Jobs.Telemetry;
using JobPlatform.Tests.Api;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.Telemetry;

/// <summary>
/// One trace from the HTTP request to the job's execution: the api stores the enqueueing trace with the job
/// (through PostgreSQL), and the worker's execution span continues it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TracingTests(PostgresFixture postgres) : IDisposable
{
    private readonly ConcurrentBag<Activity> _spans = [];
    private readonly ActivityListener _listener = new();

    [Fact]
    public async Task One_trace_holds_the_POST_the_enqueue_its_insert_and_the_execution_on_the_worker()
    {
        Listen();
        await using var host = await ApiTestHost.StartAsync(postgres);

        var id = await EnqueueAsync(host, "echo");
        await host.Worker.WaitForStateAsync(id, TimeSpan.FromSeconds(20), JobState.Succeeded);

        var execute = await SpanAsync(s => s.DisplayName == "execute echo" && Equals(s.GetTagItem("jobplatform.job.id"), id));
        var trace = _spans.Where(s => s.TraceId == execute.TraceId).ToArray();
        var request = Assert.Single(trace, s => s.Source.Name == "Microsoft.AspNetCore" && s.Kind == ActivityKind.Server);
        Assert.Equal("/api/jobs/", request.GetTagItem("http.route"));
        var enqueue = Assert.Single(trace, s => s.DisplayName == "enqueue echo");
        Assert.Equal(request.SpanId, enqueue.ParentSpanId);
        Assert.Equal(enqueue.SpanId, execute.ParentSpanId);
        Assert.Equal("echo", execute.GetTagItem("jobplatform.job.type"));
        Assert.Equal("default", execute.GetTagItem("jobplatform.job.queue"));
        Assert.Equal(1, execute.GetTagItem("jobplatform.job.attempt"));
        // The INSERT that stored the job (with whatever enqueues shared its commit) is in the same trace.
        var insert = Assert.Single(trace, s => s.DisplayName == "insert jobs");
        Assert.Equal(enqueue.SpanId, insert.ParentSpanId);
        Assert.Contains(trace, s => s.Source.Name == "Npgsql" && s.ParentSpanId == insert.SpanId);
    }

    [Fact]
    public async Task A_failed_execution_span_has_error_status_and_the_exception()
    {
        Listen();
        await using var host = await ApiTestHost.StartAsync(postgres, jobs => jobs.AddJob<AlwaysFailingJob, EchoPayload>("always-fails"));

        var id = await EnqueueAsync(host, "always-fails", maxAttempts: 1);
        await host.Worker.WaitForStateAsync(id, TimeSpan.FromSeconds(20), JobState.Failed);

        var execute = await SpanAsync(s => s.DisplayName == "execute always-fails" && Equals(s.GetTagItem("jobplatform.job.id"), id));
        Assert.Equal(ActivityStatusCode.Error, execute.Status);
        var exception = Assert.Single(execute.Events, e => e.Name == "exception");
        Assert.Contains(exception.Tags, t => t.Key == "exception.type");
    }

    private void Listen()
    {
        _listener.ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or JobsTelemetry.Name or "Npgsql";
        _listener.Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded;
        _listener.ActivityStopped = _spans.Add;
        ActivitySource.AddActivityListener(_listener);
    }

    private static async Task<Guid> EnqueueAsync(ApiTestHost host, string type, int? maxAttempts = null)
    {
        var response = await host.Http.PostAsJsonAsync("/api/jobs", new { type, payload = new { text = "traced" }, maxAttempts });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>The span, once stopped (the execution span ends just after the job's state is written).</summary>
    private async Task<Activity> SpanAsync(Func<Activity, bool> match)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(50))
            if (_spans.FirstOrDefault(match) is { } span) return span;
        throw new TimeoutException("The span never ended.");
    }

    public void Dispose() => _listener.Dispose();
}
