using System.Globalization;
using System.Threading.RateLimiting;
using JobPlatform.Dashboard.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;

namespace JobPlatform.Api.Security;

public static class RateLimitingExtensions
{
    private static readonly string[] Unlimited = ["/health", "/alive", "/metrics"];

    /// <summary>Where the dashboard's user is put for <see cref="ClientOf"/> (see <see cref="UseDashboardUserForRateLimits"/>).</summary>
    private const string DashboardUserItem = "jobplatform:dashboard-user";

    /// <summary>
    /// Whose bucket a request draws from. Runs after authentication: the key it proved (by the key's hash, so each
    /// key has its own), else the dashboard user it is logged in as, else its address (IPv6 by /64). An unknown key
    /// is anonymous, so inventing keys gains no extra buckets.
    /// </summary>
    public static string ClientOf(HttpContext http) =>
        http.User.FindFirst(ApiKeys.KeyIdClaim)?.Value is { } key ? $"key:{key}"
        : http.Items[DashboardUserItem] is string user ? $"user:{user}"
        : $"address:{ClientAddress.PartitionOf(http.Connection.RemoteIpAddress)}";

    /// <summary>
    /// Before the rate limiter: a request carrying the dashboard's login cookie is counted as its user. The api's own
    /// authentication reads keys only (the cookie must never authorize an api route), so the cookie is read here.
    /// </summary>
    public static IApplicationBuilder UseDashboardUserForRateLimits(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Cookies.ContainsKey(DashboardRoles.CookieName)
            && await http.AuthenticateAsync(DashboardRoles.Scheme) is { Succeeded: true, Principal.Identity.Name: { } name })
            http.Items[DashboardUserItem] = name;
        await next(http);
    });

    /// <summary>
    /// One token bucket per client; over it (or over a route's own limit, such as the dashboard's login), 429 with
    /// Retry-After and problem details.
    /// </summary>
    public static WebApplicationBuilder AddApiRateLimiting(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (options.Enabled && (options.PermitsPerSecond < 1 || options.Burst < 1))
            throw new InvalidOperationException($"{RateLimitOptions.Section}: PermitsPerSecond and Burst must be at least 1.");

        builder.Services.AddRateLimiter(limiter =>
        {
            // Disabled, the middleware stays in place for the routes' own limits, and the general one limits nothing.
            if (options.Enabled)
                limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                    Unlimited.Any(path => http.Request.Path.StartsWithSegments(path))
                        ? RateLimitPartition.GetNoLimiter("unlimited")
                        : RateLimitPartition.GetTokenBucketLimiter(ClientOf(http), _ => new TokenBucketRateLimiterOptions
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
                    detail: $"This client is over its limit for this route; try again in {seconds} s.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
        return builder;
    }
}
