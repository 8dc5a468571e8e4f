extern alias api;
extern alias worker;

using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text;
using System.Text.Json;
using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Api;

/// <summary>
/// Payloads a worker cannot read are refused at the api with 400 naming the field, instead of a 202 and a job that
/// fails at run time: numbers beyond their type (or a double), a payload type's DataAnnotations, duplicate
/// properties, unpaired surrogates. A payload that came another way is checked by the worker before its handler runs.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PayloadValidationTests(PostgresFixture postgres)
{
    /// <summary>A payload type with annotations and numbers of several widths.</summary>
    public sealed record MeasuredPayload(
        [Range(1, 86_400)] int Seconds,
        [Required, StringLength(20)] string Name,
        short Small = 0,
        long Large = 0,
        [Range(0.0, 1.0)] double Rate = 0.5,
        double Anything = 0,
        [MinLength(1)] string[]? Tags = null);

    public sealed class MeasuredJob(Executions executions) : IJob<MeasuredPayload>
    {
        public Task ExecuteAsync(MeasuredPayload payload, JobContext context, CancellationToken cancellationToken)
        {
            executions.Runs.Enqueue((context.JobId, context.Attempt, payload.Name));
            return Task.CompletedTask;
        }
    }

    private Task<ApiTestHost> StartAsync() => ApiTestHost.StartAsync(postgres, jobs => jobs.AddJob<MeasuredJob, MeasuredPayload>("measured"));

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient http, string json)
    {
        using var response = await http.PostAsync("/api/jobs", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Theory]
    [InlineData("""{"seconds": 1e309, "name": "a"}""", "payload.seconds")]                 // beyond a double
    [InlineData("""{"seconds": 5, "name": "a", "anything": -1e309}""", "payload.anything")]  // beyond a double, in a double
    [InlineData("""{"seconds": 2147483648, "name": "a"}""", "payload.seconds")]             // beyond int
    [InlineData("""{"seconds": 5, "name": "a", "small": 40000}""", "payload.small")]        // beyond short
    [InlineData("""{"seconds": 5, "name": "a", "large": 1e30}""", "payload.large")]         // beyond long, and a decimal's reach
    [InlineData("""{"seconds": -5, "name": "a"}""", "payload.seconds")]                     // [Range(1, 86400)]
    [InlineData("""{"seconds": 0, "name": "a"}""", "payload.seconds")]
    [InlineData("""{"seconds": 5, "name": "a", "rate": 1.5}""", "payload.rate")]            // [Range(0.0, 1.0)]
    [InlineData("""{"seconds": 5, "name": "abcdefghijklmnopqrstu"}""", "payload.name")]     // [StringLength(20)]
    [InlineData("""{"seconds": 5, "name": ""}""", "payload.name")]                          // [Required]: not empty
    [InlineData("""{"seconds": 5}""", "payload")]                                          // [Required]: present
    [InlineData("""{"seconds": 5, "name": "a", "tags": []}""", "payload.tags")]             // [MinLength(1)]
    [InlineData("""{"seconds": 5, "seconds": 6, "name": "a"}""", "payload.seconds")]        // a property twice
    [InlineData("""{"seconds": 5, "name": "\ud800"}""", "payload.name")]                    // an unpaired surrogate
    [InlineData("""{"seconds": 5, "name": "a\udc00b"}""", "payload.name")]
    [InlineData("""{"seconds": 5, "name": "a", "tags": ["x", "\ud800"]}""", "payload.tags[1]")]
    public async Task A_payload_the_worker_cannot_read_is_refused_with_400_naming_the_field(string payload, string field)
    {
        await using var host = await StartAsync();

        var (status, body) = await PostAsync(host.Http, $$"""{"type": "measured", "payload": {{payload}}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = body.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {body}");
        Assert.Equal(0, await Sql.ScalarAsync(host.Db, "SELECT count(*) FROM jobplatform.jobs"));
    }

    [Fact]
    public async Task Unpaired_surrogates_and_duplicates_are_refused_for_every_type_and_in_schedules()
    {
        await using var host = await StartAsync();

        // echo's schema says nothing of these; the rules hold for any type.
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(host.Http, """{"type": "echo", "payload": {"text": "\ud800"}}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(host.Http, """{"type": "echo", "payload": {"text": "a", "text": "b"}}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(host.Http, """{"type": "echo", "payload": {"text": "a", "\ud800": 1}}""")).Status);
        using var schedule = await host.Http.PutAsync("/api/schedules/surrogate", new StringContent(
            """{"cron": "0 * * * *", "type": "echo", "payload": {"text": "\udfff"}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, schedule.StatusCode);
        Assert.Contains("payload.text", await schedule.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_payload_within_every_bound_is_accepted_and_runs()
    {
        await using var host = await StartAsync();

        var (status, body) = await PostAsync(host.Http, """
            {"type": "measured", "payload": {"seconds": 86400, "name": "b\ud83d\ude00", "small": -32768, "large": 9223372036854775807,
             "rate": 1, "anything": 1e300, "tags": ["x"]}}
            """);

        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = body.GetProperty("id").GetGuid();
        await host.Worker.WaitForStateAsync(id, TimeSpan.FromSeconds(30), JobState.Succeeded);
        Assert.Contains(host.Worker.Services.GetRequiredService<Executions>().Runs, r => r.JobId == id && r.Text == "b😀");
    }

    [Fact]
    public async Task The_engine_refuses_such_payloads_from_any_client_and_the_worker_checks_the_annotations_before_the_handler()
    {
        await using var host = await StartAsync();

        var duplicate = await Assert.ThrowsAsync<JobValidationException>(() => host.Worker.WithClientAsync(c => c.EnqueueAsync("measured", """{"seconds": 5, "seconds": 6, "name": "a"}""")));
        Assert.Equal("payload.seconds", duplicate.Field);
        var surrogate = await Assert.ThrowsAsync<JobValidationException>(() => host.Worker.WithClientAsync(c => c.EnqueueAsync("measured", """{"seconds": 5, "name": "\ud800"}""")));
        Assert.Equal("payload.name", surrogate.Field);
        var infinite = await Assert.ThrowsAsync<JobValidationException>(() => host.Worker.WithClientAsync(c => c.EnqueueAsync("measured", """{"seconds": 1e309, "name": "a"}""")));
        Assert.Equal("payload.seconds", infinite.Field);

        // The client does not know the type's schema: this one reaches the worker, which fails it at once, unretried.
        var id = (await host.Worker.WithClientAsync(c => c.EnqueueAsync("measured", """{"seconds": -5, "name": "a"}""", new EnqueueOptions { MaxAttempts = 3 }))).Id;
        var failed = await host.Worker.WaitForStateAsync(id, TimeSpan.FromSeconds(30), JobState.Failed);
        Assert.Equal(1, failed.Attempt);
        Assert.Contains("payload.seconds", failed.Error);
        Assert.Empty(host.Worker.Services.GetRequiredService<Executions>().Runs);
    }

    [Fact]
    public void The_sample_payloads_declare_their_bounds_in_their_schemas()
    {
        var longRunning = JsonDocument.Parse(JobJson.SchemaOf(typeof(worker::JobPlatform.Worker.Jobs.LongRunningJobPayload))).RootElement.GetProperty("properties").GetProperty("seconds");
        Assert.Equal(1, longRunning.GetProperty("minimum").GetInt32());
        Assert.Equal(86_400, longRunning.GetProperty("maximum").GetInt32());

        var flaky = JsonDocument.Parse(JobJson.SchemaOf(typeof(worker::JobPlatform.Worker.Jobs.FlakyJobPayload))).RootElement.GetProperty("properties").GetProperty("failureRate");
        Assert.Equal(0m, flaky.GetProperty("minimum").GetDecimal());
        Assert.Equal(1m, flaky.GetProperty("maximum").GetDecimal());

        var simple = JsonDocument.Parse(JobJson.SchemaOf(typeof(worker::JobPlatform.Worker.Jobs.SimpleJobPayload))).RootElement;
        Assert.Contains("name", simple.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(1, simple.GetProperty("properties").GetProperty("name").GetProperty("minLength").GetInt32());
        Assert.Equal(200, simple.GetProperty("properties").GetProperty("name").GetProperty("maxLength").GetInt32());
    }

    /// <summary>Only the engine's validation exception becomes a 400; any other ArgumentException is a bug, a 500 that says nothing of it.</summary>
    [Fact]
    public async Task Only_a_validation_exception_becomes_a_400_and_a_framework_argument_exception_does_not()
    {
        await using var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var handler = new api::JobPlatform.Api.Errors.ProblemExceptionHandler(services.GetRequiredService<IProblemDetailsService>());

        var invalid = new DefaultHttpContext { RequestServices = services };
        invalid.Response.Body = new MemoryStream();
        Assert.True(await handler.TryHandleAsync(invalid, new JobValidationException("payload.name", "The name is too long."), CancellationToken.None));
        Assert.Equal(StatusCodes.Status400BadRequest, invalid.Response.StatusCode);
        Assert.Contains("payload.name", Encoding.UTF8.GetString(((MemoryStream)invalid.Response.Body).ToArray()));

        var framework = new DefaultHttpContext { RequestServices = services };
        Assert.False(await handler.TryHandleAsync(framework, new ArgumentException("Internal detail of a bug", "secretParameter"), CancellationToken.None));
    }
}
