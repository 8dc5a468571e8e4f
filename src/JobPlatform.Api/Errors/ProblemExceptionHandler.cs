using System.Text.Json;
using JobPlatform.Jobs.Client;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using JobPlatform.Jobs.Resilience;

namespace JobPlatform.Api.Errors;

/// <summary>
/// Turns the exceptions that mean "bad request" into RFC 7807 problem details naming the field, so no
/// input, however malformed, reaches the client as a 500.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } bad => Invalid(bad.StatusCode, "The request body is not valid JSON for this endpoint.", Field(json.Path), json.Message),
            BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = "The request could not be read.", Detail = bad.Message },
            UnknownJobTypeException unknown => UnknownType(unknown),
            // The engine's own checks (a limit, a cursor, a cron expression, a payload) name the field. Any other
            // ArgumentException is a bug: a 500 that does not repeat its message.
            JobValidationException invalid => Invalid(StatusCodes.Status400BadRequest, "The request is not valid.", invalid.Field, invalid.Message),
            // The database is down, restarting or out of connections: worth trying again shortly, not our bug.
            _ when DatabaseUnavailable.Is(exception) => Unavailable(context),
            _ => null,
        };
        if (problem is null) return false;

        context.Response.StatusCode = problem.Status ?? StatusCodes.Status400BadRequest;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>Seconds a client should wait before trying again while the database is unreachable.</summary>
    public const int RetryAfterSeconds = 5;

    private static ProblemDetails Unavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "The job store is not reachable.",
            Detail = $"PostgreSQL did not answer; nothing was changed. Try again in {RetryAfterSeconds} seconds.",
        };
    }

    private static HttpValidationProblemDetails Invalid(int status, string title, string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] }) { Status = status, Title = title };

    private static HttpValidationProblemDetails UnknownType(UnknownJobTypeException unknown)
    {
        var problem = Invalid(StatusCodes.Status400BadRequest, "Unknown job type.", "type", unknown.Message);
        problem.Extensions["knownTypes"] = unknown.KnownTypes;
        return problem;
    }

    /// <summary>"$.payload.name" becomes "payload.name"; the root becomes "body".</summary>
    private static string Field(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "body" : jsonPath.TrimStart('$', '.');
}
