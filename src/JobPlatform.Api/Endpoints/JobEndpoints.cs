using JobPlatform.Api.Contracts;
using JobPlatform.Api.Security;
using JobPlatform.Api.Validation;
using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;

namespace JobPlatform.Api.Endpoints;

/// <summary>/api/jobs and /api/job-types.</summary>
public static class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/jobs").WithTags("Jobs");
        jobs.MapPost("/", EnqueueAsync).WithName("EnqueueJob")
            .WithSummary("Enqueue a job (202); with a unique key an unfinished job already holds, that job (200)")
            .Produces<JobAcceptedResponse>(StatusCodes.Status202Accepted).Produces<JobAcceptedResponse>()
            .ProducesValidationProblem().RequireAuthorization(ApiKeys.Admin);
        jobs.MapGet("/", ListAsync).WithName("ListJobs")
            .WithSummary("List jobs, newest first, filtered by state, type, queue, tag and creation time, a page at a time")
            .Produces<JobPageResponse>().ProducesValidationProblem();
        jobs.MapGet("/{id:guid}", GetAsync).WithName("GetJob").WithSummary("Get a job with its progress and every attempt")
            .Produces<JobResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        jobs.MapPost("/{id:guid}/cancel", CancelAsync).WithName("CancelJob")
            .WithSummary("Cancel a waiting job (200), or ask a running one's handler to stop (202)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(ApiKeys.Admin);
        jobs.MapPost("/{id:guid}/retry", RetryAsync).WithName("RetryJob")
            .WithSummary("Enqueue a failed or cancelled job again, with one more attempt")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(ApiKeys.Admin);
        jobs.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteJob").WithSummary("Delete a job that is not running, with its history")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(ApiKeys.Admin);

        app.MapGet("/api/job-types", GetJobTypesAsync).WithTags("Job types").WithName("ListJobTypes")
            .WithSummary("List the job types workers offer, with their payload schemas and limits");
        return app;
    }

    private static async Task<IResult> EnqueueAsync(
        EnqueueJobRequest request, IJobClient client, PayloadSchemas schemas, CancellationToken cancellationToken)
    {
        var errors = EnqueueJobRequestValidator.Validate(request);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        // The bound payload is checked as it is, then written once as text: no second parse on the hot path.
        var payload = EnqueueJobRequestValidator.Payload(request);
        errors = await schemas.ValidateAsync(request.Type!, payload, cancellationToken);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: $"The payload does not fit job type '{request.Type}'.");

        var result = await client.EnqueueAsync(
            request.Type!, payload.GetRawText(), EnqueueJobRequestValidator.ToOptions(request), cancellationToken);
        return result.Created
            ? Accepted(result.Id, request.Type!)
            : TypedResults.Ok(new JobAcceptedResponse(result.Id, request.Type!, $"/api/jobs/{result.Id}", Created: false));
    }

    /// <param name="state">scheduled, enqueued, processing, succeeded, failed, cancelled or awaiting.</param>
    /// <param name="createdFrom">Jobs created at or after this instant (by the database's clock; a job whose v7 id is more than an hour older than its creation time may be missed).</param>
    /// <param name="createdTo">Jobs created before this instant (by the database's clock; a job whose v7 id is more than an hour newer than its creation time may be missed).</param>
    /// <param name="cursor">The <c>nextCursor</c> of the page before.</param>
    /// <param name="limit">Jobs per page, 1 to 500 (default 50).</param>
    private static async Task<IResult> ListAsync(
        IJobClient client, CancellationToken cancellationToken, string? state = null, string? type = null, string? queue = null,
        string? tag = null, DateTimeOffset? createdFrom = null, DateTimeOffset? createdTo = null, string? cursor = null, int limit = 50)
    {
        var errors = new Dictionary<string, string[]>();
        JobState? parsed = null;
        if (state is not null)
        {
            try
            {
                parsed = JobStateNames.Parse(state.ToLowerInvariant());
            }
            catch (ArgumentException)
            {
                errors["state"] = ["state is scheduled, enqueued, processing, succeeded, failed, cancelled or awaiting."];
            }
        }
        if (limit is < 1 or > JobQuery.MaxLimit) errors["limit"] = [$"limit must be between 1 and {JobQuery.MaxLimit}."];
        if (cursor is not null && !Guid.TryParse(cursor, out _)) errors["cursor"] = ["cursor is not a cursor this api gave out."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var page = await client.ListAsync(new JobQuery
        {
            State = parsed, Type = type, Queue = queue, Tag = tag, CreatedFrom = createdFrom, CreatedTo = createdTo,
            Cursor = cursor, Limit = limit,
        }, cancellationToken);
        return TypedResults.Ok(new JobPageResponse([.. page.Items.Select(JobResponse.From)], page.NextCursor));
    }

    private static async Task<IResult> GetAsync(Guid id, IJobClient client, CancellationToken cancellationToken) =>
        await client.GetAsync(id, cancellationToken) is { } job ? TypedResults.Ok(JobResponse.From(job)) : NotFound(id);

    private static async Task<IResult> CancelAsync(Guid id, IJobClient client, CancellationToken cancellationToken) =>
        await client.CancelAsync(id, cancellationToken) switch
        {
            CancelOutcome.NotFound => NotFound(id),
            CancelOutcome.AlreadyFinished => Conflict("The job has already finished.", $"Job {id} has finished; there is nothing to cancel."),
            CancelOutcome.CancellationRequested => TypedResults.Accepted($"/api/jobs/{id}", new { id, status = "cancellation requested" }),
            _ => TypedResults.Ok(new { id, status = "cancelled" }),
        };

    private static async Task<IResult> RetryAsync(Guid id, IJobClient client, CancellationToken cancellationToken) =>
        await client.RetryAsync(id, cancellationToken) switch
        {
            RetryOutcome.NotFound => NotFound(id),
            RetryOutcome.NotRetryable => Conflict("Only a failed or cancelled job can be retried.", $"Job {id} is not failed or cancelled."),
            RetryOutcome.UniqueKeyTaken => Conflict("Another unfinished job holds this job's unique key.", $"Job {id} was not retried: its unique key is taken until that job ends."),
            _ => TypedResults.Accepted($"/api/jobs/{id}", new { id, status = "enqueued" }),
        };

    private static async Task<IResult> DeleteAsync(Guid id, IJobClient client, CancellationToken cancellationToken) =>
        await client.DeleteAsync(id, cancellationToken) switch
        {
            DeleteOutcome.NotFound => NotFound(id),
            DeleteOutcome.Running => Conflict("A running job is not deleted.", $"Job {id} is running; cancel it first."),
            DeleteOutcome.Locked => Conflict("The job is held by another transaction.", $"Job {id} is held by an open transaction (a continuation of it being enqueued); try again once it has ended."),
            _ => TypedResults.NoContent(),
        };

    private static async Task<IResult> GetJobTypesAsync(IJobClient client, CancellationToken cancellationToken) =>
        TypedResults.Ok((await client.GetJobTypesAsync(cancellationToken)).Select(JobTypeResponse.From));

    /// <summary>202 with the job's id and a Location header where its state can be followed.</summary>
    public static IResult Accepted(Guid id, string type)
    {
        var location = $"/api/jobs/{id}";
        return TypedResults.Accepted(location, new JobAcceptedResponse(id, type, location));
    }

    private static IResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Job not found.", detail: $"There is no job with id {id}.");

    private static IResult Conflict(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);
}
