using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace JobPlatform.Api.Security;

public static class RateLimitingExtensions
{
    private static readonly string[] Unlimited = ["/health", "/alive", "/metrics"];

    /// <summary>One token bucket per client; over it, 429 with Retry-After and problem details.</summary>
    public static WebApplicationBuilder AddApiRateLimiting(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (!options.Enabled)
        {
            builder.Services.AddRateLimiter(_ => { }); // the middleware stays in place, limiting nothing
            return builder;
        }
        if (options.PermitsPerSecond < 1 || options.Burst < 1)
            throw new InvalidOperationException($"{RateLimitOptions.Section}: PermitsPerSecond and Burst must be at least 1.");

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                Unlimited.Any(path => http.Request.Path.StartsWithSegments(path))
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    // Runs after authentication: a client is its address and the kind of key it proved (an
                    // unknown key is anonymous, so inventing keys gains no extra buckets).
                    : RateLimitPartition.GetTokenBucketLimiter($"{http.Connection.RemoteIpAddress}|{http.User.Identity?.Name}", _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = options.Burst,
                        TokensPerPeriod = options.PermitsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.",
                    detail: $"This client is over its limit of {options.PermitsPerSecond} requests a second; try again in {seconds} s.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
        return builder;
    }
}
