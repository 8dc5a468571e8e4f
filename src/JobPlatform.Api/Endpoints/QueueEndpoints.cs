using JobPlatform.Api.Contracts;
using JobPlatform.Api.Security;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Handlers;

namespace JobPlatform.Api.Endpoints;

/// <summary>/api/queues and /api/stats: counts, and pausing a queue for every server at once.</summary>
public static class QueueEndpoints
{
    public static IEndpointRouteBuilder MapQueueEndpoints(this IEndpointRouteBuilder app)
    {
        var queues = app.MapGroup("/api/queues").WithTags("Queues");
        queues.MapGet("/", ListAsync).WithName("ListQueues").WithSummary("List the queues with their job counts by state, and whether each is paused")
            .Produces<QueueResponse[]>();
        queues.MapPost("/{name}/pause", PauseAsync).WithName("PauseQueue")
            .WithSummary("Stop every server taking jobs from the queue; its jobs wait, enqueued").RequireAuthorization(ApiKeys.Admin)
            .ProducesValidationProblem();
        queues.MapPost("/{name}/resume", ResumeAsync).WithName("ResumeQueue").WithSummary("Let servers take jobs from the queue again")
            .RequireAuthorization(ApiKeys.Admin).ProducesValidationProblem();
        app.MapGet("/api/stats", StatsAsync).WithTags("Queues").WithName("GetStats").WithSummary("Job counts by state and by queue")
            .Produces<StatsResponse>();
        return app;
    }

    private static async Task<QueueResponse[]> QueuesAsync(IJobClient client, CancellationToken cancellationToken) =>
        [.. (await client.GetQueuesAsync(cancellationToken)).Select(q => new QueueResponse(q.Queue, q.Paused, q.Counts))];

    private static async Task<IResult> ListAsync(IJobClient client, CancellationToken cancellationToken) =>
        TypedResults.Ok(await QueuesAsync(client, cancellationToken));

    private static async Task<IResult> StatsAsync(IJobClient client, CancellationToken cancellationToken)
    {
        var queues = await QueuesAsync(client, cancellationToken);
        var byState = queues.SelectMany(q => q.Counts).GroupBy(c => c.Key).ToDictionary(g => g.Key, g => g.Sum(c => c.Value));
        return TypedResults.Ok(new StatsResponse(byState, queues));
    }

    private static Task<IResult> PauseAsync(string name, IJobClient client, CancellationToken cancellationToken) =>
        SetAsync(name, paused: true, client, cancellationToken);

    private static Task<IResult> ResumeAsync(string name, IJobClient client, CancellationToken cancellationToken) =>
        SetAsync(name, paused: false, client, cancellationToken);

    private static async Task<IResult> SetAsync(string name, bool paused, IJobClient client, CancellationToken cancellationToken)
    {
        if (!JobTypeNames.IsValid(name))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [$"'{name}' is not a queue name: 1-100 characters of a-z, 0-9, '.', '_' or '-'."] });
        if (paused) await client.PauseQueueAsync(name, cancellationToken);
        else await client.ResumeQueueAsync(name, cancellationToken);
        return TypedResults.NoContent();
    }
}
