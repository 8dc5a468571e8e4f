using System.Text.Json;
using JobPlatform.Api.Contracts;
using JobPlatform.Api.Security;
using JobPlatform.Api.Validation;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Handlers;
using Microsoft.AspNetCore.Mvc;

namespace JobPlatform.Api.Endpoints;

/// <summary>
/// <c>POST /api/jobs/bulk?type=…</c>: up to 100,000 jobs of one type in one request, the body a JSON array of
/// payloads. The array is read element by element straight into the engine's COPY, so a large request is never
/// held in memory; a bad element aborts the COPY, and none of the jobs is enqueued.
/// </summary>
public static class BulkEndpoints
{
    public const int MaxJobs = 100_000;
    public const long MaxBodyBytes = 64L * 1024 * 1024;

    public static IEndpointRouteBuilder MapBulkEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/jobs/bulk", EnqueueAsync).WithTags("Jobs").WithName("EnqueueJobsInBulk")
            .WithSummary($"Enqueue up to {MaxJobs:N0} jobs of one type: the body is a JSON array of payloads")
            .Accepts<JsonElement[]>("application/json")
            .Produces<BulkAcceptedResponse>(StatusCodes.Status202Accepted).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .RequireAuthorization(ApiKeys.Admin);
        return app;
    }

    /// <param name="type">The job type of every job.</param>
    /// <param name="queue">Overrides the type's queue.</param>
    /// <param name="priority">-1000 to 1000.</param>
    /// <param name="maxAttempts">1 to 100.</param>
    /// <param name="tag">Tags for every job (repeat the parameter for several).</param>
    private static async Task<IResult> EnqueueAsync(
        HttpRequest http, IJobClient client, PayloadSchemas schemas, CancellationToken cancellationToken,
        string? type = null, string? queue = null, int? priority = null, int? maxAttempts = null, [FromQuery] string[]? tag = null)
    {
        var errors = EnqueueJobRequestValidator.Validate(new EnqueueJobRequest(type, Queue: queue, Priority: priority, MaxAttempts: maxAttempts, Tags: tag is { Length: > 0 } ? tag : null));
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var schema = await schemas.SchemaAsync(type!, cancellationToken);

        var count = 0;
        async IAsyncEnumerable<string> Payloads()
        {
            await foreach (var payload in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(http.Body, cancellationToken: cancellationToken))
            {
                var index = count++;
                if (count > MaxJobs) throw new BulkRejected("body", $"At most {MaxJobs:N0} jobs in one request.", StatusCodes.Status413PayloadTooLarge);
                if (payload.ValueKind != JsonValueKind.Object) throw new BulkRejected($"[{index}]", "A payload must be a JSON object.");
                var invalid = PayloadSchemas.Validate(schema, payload, $"[{index}]");
                if (invalid.Count > 0) throw new BulkRejected(invalid.First().Key, string.Join(" ", invalid.First().Value));
                yield return payload.GetRawText();
            }
        }

        try
        {
            var ids = await client.EnqueueManyAsync(type!, Payloads(), new EnqueueOptions
            {
                Queue = queue, Priority = priority ?? 0, MaxAttempts = maxAttempts, Tags = tag is { Length: > 0 } ? tag : null,
            }, cancellationToken);
            return TypedResults.Accepted("/api/jobs?type=" + type, new BulkAcceptedResponse(type!, ids.Count, ids));
        }
        catch (BulkRejected e)
        {
            return e.Status == StatusCodes.Status400BadRequest
                ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { [e.Field] = [e.Message] }, title: "No job was enqueued.")
                : TypedResults.Problem(statusCode: e.Status, title: "No job was enqueued.", detail: e.Message);
        }
        catch (JsonException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"The body must be a JSON array of payload objects: {e.Message}"] },
                title: "No job was enqueued.");
        }
    }

    private sealed class BulkRejected(string field, string message, int status = StatusCodes.Status400BadRequest) : Exception(message)
    {
        public string Field { get; } = field;
        public int Status { get; } = status;
    }
}
