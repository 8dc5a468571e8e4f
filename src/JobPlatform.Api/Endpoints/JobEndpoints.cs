using JobPlatform.Api.Contracts;
using JobPlatform.Jobs.Client;

namespace JobPlatform.Api.Endpoints;

/// <summary>/api/jobs and /api/job-types.</summary>
public static class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/jobs").WithTags("Jobs");
        jobs.MapPost("/", EnqueueAsync).WithName("EnqueueJob").WithSummary("Enqueue a job")
            .Produces<JobAcceptedResponse>(StatusCodes.Status202Accepted).ProducesValidationProblem();
        jobs.MapGet("/{id:guid}", GetAsync).WithName("GetJob").WithSummary("Get a job and its state")
            .Produces<JobResponse>().ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/api/job-types", GetJobTypesAsync).WithTags("Job types").WithName("ListJobTypes")
            .WithSummary("List the job types workers offer, with their payload schemas");
        return app;
    }

    private static async Task<IResult> EnqueueAsync(EnqueueJobRequest request, IJobClient client, CancellationToken cancellationToken)
    {
        var errors = EnqueueJobRequestValidator.Validate(request);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var result = await client.EnqueueAsync(
            request.Type!, EnqueueJobRequestValidator.PayloadJson(request), EnqueueJobRequestValidator.ToOptions(request), cancellationToken);
        return Accepted(result.Id, request.Type!);
    }

    private static async Task<IResult> GetAsync(Guid id, IJobClient client, CancellationToken cancellationToken) =>
        await client.GetAsync(id, cancellationToken) is { } job
            ? TypedResults.Ok(JobResponse.From(job))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Job not found.", detail: $"There is no job with id {id}.");

    private static async Task<IResult> GetJobTypesAsync(IJobClient client, CancellationToken cancellationToken) =>
        TypedResults.Ok((await client.GetJobTypesAsync(cancellationToken)).Select(JobTypeResponse.From));

    /// <summary>202 with the job's id and a Location header where its state can be followed.</summary>
    public static IResult Accepted(Guid id, string type)
    {
        var location = $"/api/jobs/{id}";
        return TypedResults.Accepted(location, new JobAcceptedResponse(id, type, location));
    }
}
