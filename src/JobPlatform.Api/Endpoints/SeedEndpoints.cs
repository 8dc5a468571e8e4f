using JobPlatform.Api.Security;
using JobPlatform.Jobs.Client;

namespace JobPlatform.Api.Endpoints;

/// <summary>
/// The seed system's commands, kept verbatim as shortcuts:
/// <c>GET /jobs/simple-job?name=…</c> and <c>GET /jobs/long-running-job</c>.
/// </summary>
public static class SeedEndpoints
{
    public static IEndpointRouteBuilder MapSeedEndpoints(this IEndpointRouteBuilder app)
    {
        // GETs that enqueue, as the seed system had them: they change state, so they need an admin key.
        var seed = app.MapGroup("/jobs").WithTags("Seed shortcuts").RequireAuthorization(ApiKeys.Admin);
        seed.MapGet("/simple-job", EnqueueSimpleAsync).WithName("SeedSimpleJob")
            .WithSummary("Enqueue a simple-job (shortcut kept from the seed system)");
        seed.MapGet("/long-running-job", EnqueueLongRunningAsync).WithName("SeedLongRunningJob")
            .WithSummary("Enqueue a long-running-job (shortcut kept from the seed system)");
        return app;
    }

    /// <param name="name">Who to greet (default "World").</param>
    private static async Task<IResult> EnqueueSimpleAsync(IJobClient client, CancellationToken cancellationToken, string? name = null)
    {
        var enqueued = await client.EnqueueAsync("simple-job", new { name = string.IsNullOrWhiteSpace(name) ? "World" : name }, cancellationToken: cancellationToken);
        return JobEndpoints.Accepted(enqueued.Id, "simple-job");
    }

    /// <param name="seconds">How long the job works (default 120).</param>
    private static async Task<IResult> EnqueueLongRunningAsync(IJobClient client, CancellationToken cancellationToken, int? seconds = null)
    {
        if (seconds is < 0 or > 86_400)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["seconds"] = ["seconds must be between 0 and 86400."] });

        object payload = seconds is null ? new { } : new { seconds };
        var enqueued = await client.EnqueueAsync("long-running-job", payload, cancellationToken: cancellationToken);
        return JobEndpoints.Accepted(enqueued.Id, "long-running-job");
    }
}
