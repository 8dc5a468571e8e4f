using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace JobPlatform.Api.OpenApi;

/// <summary>Example request bodies for the operations people call first, shown by Scalar ready to send.</summary>
internal sealed class RequestExamplesTransformer : IOpenApiOperationTransformer
{
    private static readonly Dictionary<string, string> Examples = new()
    {
        ["EnqueueJob"] = """
            {"type": "flaky-job", "payload": {"failureRate": 0.3}, "priority": 5, "maxAttempts": 4,
             "delaySeconds": 10, "tags": ["demo"], "uniqueKey": "order-42"}
            """,
        ["EnqueueJobsInBulk"] = """[{"name": "Ada"}, {"name": "Grace"}, {"name": "Linus"}]""",
        ["CreateSchedule"] = """
            {"name": "nightly-report", "cron": "0 3 * * *", "timeZone": "Europe/Berlin", "type": "simple-job",
             "payload": {"name": "night"}, "misfire": "run-once", "overlap": "skip"}
            """,
        ["UpdateSchedule"] = """{"cron": "*/15 * * * *", "type": "simple-job", "payload": {"name": "quarter"}}""",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
        if (name is not null && Examples.TryGetValue(name, out var example)
            && operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
            body.Example = JsonNode.Parse(example);
        return Task.CompletedTask;
    }
}
