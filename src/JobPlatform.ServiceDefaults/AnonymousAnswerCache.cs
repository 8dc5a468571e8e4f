using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// For the open endpoints that ask the database (<c>/health</c>, the api's Prometheus targets): an answer, healthy or
/// not (200 or 503), is kept for <see cref="Duration"/> and concurrent requests wait for the one computing it, so
/// an anonymous flood costs the database one query every few seconds instead of draining the connection pool.
/// ASP.NET Core's output cache, with a policy of its own: the default one keeps 200s only.
/// </summary>
public sealed class AnonymousAnswerCache : IOutputCachePolicy
{
    public const string PolicyName = "anonymous-answer";

    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(2);

    public static void Register(OutputCacheOptions options) =>
        options.AddPolicy(PolicyName, new AnonymousAnswerCache());

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var method = context.HttpContext.Request.Method;
        var cacheable = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = true; // one computation, however many wait for it
        context.ResponseExpirationTimeSpan = Duration;
        context.CacheVaryByRules.QueryKeys = "*"; // the targets' ?host= changes the answer
        return ValueTask.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var response = context.HttpContext.Response;
        if (response.StatusCode is not (StatusCodes.Status200OK or StatusCodes.Status503ServiceUnavailable) || response.Headers.SetCookie.Count > 0)
            context.AllowCacheStorage = false;
        return ValueTask.CompletedTask;
    }
}
