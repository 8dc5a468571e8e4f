using JobPlatform.Api.Contracts;
using JobPlatform.Jobs.Client;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobPlatform.Api.Endpoints;

/// <summary>/api/schedules: the recurring schedules, declared by workers in code or created at run time.</summary>
public static class ScheduleEndpoints
{
    public static IEndpointRouteBuilder MapScheduleEndpoints(this IEndpointRouteBuilder app)
    {
        var schedules = app.MapGroup("/api/schedules").WithTags("Schedules");
        schedules.MapGet("/", ListAsync).WithName("ListSchedules")
            .WithSummary("List the recurring schedules with their next five occurrences and last outcome");
        schedules.MapGet("/{name}", GetAsync).WithName("GetSchedule").WithSummary("Get one recurring schedule");
        return app;
    }

    private static async Task<Ok<ScheduleResponse[]>> ListAsync(IJobClient client, CancellationToken cancellationToken) =>
        TypedResults.Ok((await client.GetSchedulesAsync(cancellationToken)).Select(ScheduleResponse.From).ToArray());

    private static async Task<Results<Ok<ScheduleResponse>, ProblemHttpResult>> GetAsync(string name, IJobClient client, CancellationToken cancellationToken) =>
        await client.GetScheduleAsync(name, cancellationToken) is { } schedule
            ? TypedResults.Ok(ScheduleResponse.From(schedule))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such schedule", detail: $"There is no schedule named '{name}'.");
}
