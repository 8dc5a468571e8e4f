using JobPlatform.Api.Contracts;
using JobPlatform.Api.Security;
using JobPlatform.Api.Validation;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Scheduling;

namespace JobPlatform.Api.Endpoints;

/// <summary>/api/schedules: the recurring schedules, declared by workers in code or created here.</summary>
public static class ScheduleEndpoints
{
    public static IEndpointRouteBuilder MapScheduleEndpoints(this IEndpointRouteBuilder app)
    {
        var schedules = app.MapGroup("/api/schedules").WithTags("Schedules");
        schedules.MapGet("/", ListAsync).WithName("ListSchedules")
            .WithSummary("List the recurring schedules with their next five occurrences and last outcome")
            .Produces<ScheduleResponse[]>();
        schedules.MapGet("/{name}", GetAsync).WithName("GetSchedule").WithSummary("Get one recurring schedule")
            .Produces<ScheduleResponse>().ProducesProblem(StatusCodes.Status404NotFound);

        var changes = schedules.MapGroup("/").RequireAuthorization(ApiKeys.Admin);
        changes.MapPost("/", CreateAsync).WithName("CreateSchedule").WithSummary("Create a recurring schedule")
            .Produces<ScheduleResponse>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        changes.MapPut("/{name}", UpdateAsync).WithName("UpdateSchedule")
            .WithSummary("Replace a schedule's definition (a new cron expression or time zone restarts it from now)")
            .Produces<ScheduleResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        changes.MapPost("/{name}/pause", PauseAsync).WithName("PauseSchedule").WithSummary("Stop firing a schedule until it is resumed")
            .ProducesProblem(StatusCodes.Status404NotFound);
        changes.MapPost("/{name}/resume", ResumeAsync).WithName("ResumeSchedule")
            .WithSummary("Fire a paused schedule again, from its next occurrence after now").ProducesProblem(StatusCodes.Status404NotFound);
        changes.MapPost("/{name}/trigger", TriggerAsync).WithName("TriggerSchedule").WithSummary("Enqueue the schedule's job now")
            .Produces<JobAcceptedResponse>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);
        changes.MapDelete("/{name}", DeleteAsync).WithName("DeleteSchedule")
            .WithSummary("Delete a schedule (its jobs stay; a schedule declared in code returns when its worker starts)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>
    /// The request field by field, then its payload against the job type's schema, as an enqueue is checked: a
    /// payload the workers cannot read would otherwise fail at every firing, long after the request.
    /// </summary>
    private static async Task<(ScheduleDefinition? Definition, IResult? Problem)> CheckAsync(
        ScheduleRequest request, string? routeName, PayloadSchemas schemas, CancellationToken cancellationToken)
    {
        var (definition, errors) = ScheduleRequestValidator.Validate(request, routeName);
        if (definition is null) return (null, TypedResults.ValidationProblem(errors));
        errors = await schemas.ValidateAsync(definition.Type, EnqueueJobRequestValidator.Payload(request.Payload), cancellationToken);
        return errors.Count > 0
            ? (null, TypedResults.ValidationProblem(errors, title: $"The payload does not fit job type '{definition.Type}'."))
            : (definition, null);
    }

    private static async Task<IResult> ListAsync(IJobClient client, CancellationToken cancellationToken) =>
        TypedResults.Ok((await client.GetSchedulesAsync(cancellationToken)).Select(ScheduleResponse.From).ToArray());

    private static async Task<IResult> GetAsync(string name, IJobClient client, CancellationToken cancellationToken) =>
        await client.GetScheduleAsync(name, cancellationToken) is { } schedule ? TypedResults.Ok(ScheduleResponse.From(schedule)) : NotFound(name);

    private static async Task<IResult> CreateAsync(
        ScheduleRequest request, IJobClient client, PayloadSchemas schemas, CancellationToken cancellationToken)
    {
        var (definition, problem) = await CheckAsync(request, null, schemas, cancellationToken);
        if (definition is null) return problem!;
        try
        {
            var created = await client.CreateScheduleAsync(definition, cancellationToken);
            return TypedResults.Created($"/api/schedules/{created.Definition.Name}", ScheduleResponse.From(created));
        }
        catch (DuplicateScheduleException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The schedule exists.", detail: e.Message);
        }
    }

    private static async Task<IResult> UpdateAsync(
        string name, ScheduleRequest request, IJobClient client, PayloadSchemas schemas, CancellationToken cancellationToken)
    {
        var (definition, problem) = await CheckAsync(request, name, schemas, cancellationToken);
        if (definition is null) return problem!;
        return await client.UpdateScheduleAsync(definition, cancellationToken) is { } updated
            ? TypedResults.Ok(ScheduleResponse.From(updated)) : NotFound(name);
    }

    private static async Task<IResult> PauseAsync(string name, IJobClient client, CancellationToken cancellationToken) =>
        await client.PauseScheduleAsync(name, cancellationToken) ? TypedResults.NoContent() : NotFound(name);

    private static async Task<IResult> ResumeAsync(string name, IJobClient client, CancellationToken cancellationToken) =>
        await client.ResumeScheduleAsync(name, cancellationToken) ? TypedResults.NoContent() : NotFound(name);

    private static async Task<IResult> TriggerAsync(string name, IJobClient client, CancellationToken cancellationToken)
    {
        var schedule = await client.GetScheduleAsync(name, cancellationToken);
        if (schedule is null || await client.TriggerScheduleAsync(name, cancellationToken) is not { } enqueued) return NotFound(name);
        return JobEndpoints.Accepted(enqueued.Id, schedule.Definition.Type);
    }

    private static async Task<IResult> DeleteAsync(string name, IJobClient client, CancellationToken cancellationToken) =>
        await client.DeleteScheduleAsync(name, cancellationToken) ? TypedResults.NoContent() : NotFound(name);

    private static IResult NotFound(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such schedule", detail: $"There is no schedule named '{name}'.");
}
