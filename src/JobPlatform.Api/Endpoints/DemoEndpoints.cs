using JobPlatform.Api.Security;
using JobPlatform.Jobs.Client;

namespace JobPlatform.Api.Endpoints;

/// <summary>A burst of sample jobs, for the Aspire dashboard's "Enqueue demo jobs" command and for demos.</summary>
public static class DemoEndpoints
{
    public const int MaxBurst = 1000;

    public static IEndpointRouteBuilder MapDemoEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/demo/burst", EnqueueBurstAsync).WithTags("Demo").RequireAuthorization(ApiKeys.Admin).WithName("EnqueueDemoBurst")
            .WithSummary("Enqueue a mix of simple, flaky and short long-running jobs");
        return app;
    }

    /// <param name="count">How many jobs (1 to 1000, default 50).</param>
    private static async Task<IResult> EnqueueBurstAsync(IJobClient client, CancellationToken cancellationToken, int count = 50)
    {
        if (count is < 1 or > MaxBurst)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["count"] = [$"count must be between 1 and {MaxBurst}."] });

        for (var i = 0; i < count; i++)
        {
            _ = (i % 10) switch
            {
                < 6 => await client.EnqueueAsync("simple-job", new { name = $"demo-{i}" }, cancellationToken: cancellationToken),
                < 9 => await client.EnqueueAsync("flaky-job", new { failureRate = 0.3 }, cancellationToken: cancellationToken),
                _ => await client.EnqueueAsync("long-running-job", new { seconds = 5 }, cancellationToken: cancellationToken),
            };
        }
        return TypedResults.Accepted((string?)null, new { enqueued = count });
    }
}
