using JobPlatform.Api.Contracts;
using JobPlatform.Jobs.Client;

namespace JobPlatform.Api.Endpoints;

/// <summary>/api/servers: the processing servers, and the same list as Prometheus scrape targets.</summary>
public static class ServerEndpoints
{
    public static IEndpointRouteBuilder MapServerEndpoints(this IEndpointRouteBuilder app)
    {
        var servers = app.MapGroup("/api/servers").WithTags("Servers");
        servers.MapGet("/", ListAsync).WithName("ListServers").WithSummary("List the processing servers and their heartbeats");
        servers.MapGet("/prometheus-targets", TargetsAsync).WithName("PrometheusTargets")
            .WithSummary("Every worker instance as a Prometheus HTTP service-discovery target group")
            // Open like /metrics: Prometheus discovers the workers it scrapes here, and it sees only their addresses.
            // It asks the database, so its answer is shared for a moment.
            .AllowAnonymous().CacheOutput(AnonymousAnswerCache.PolicyName);
        return app;
    }

    private static async Task<IResult> ListAsync(IJobClient client, CancellationToken cancellationToken) =>
        TypedResults.Ok(await client.GetServersAsync(cancellationToken));

    /// <param name="host">Replaces the host of each target, e.g. <c>host.docker.internal</c> when Prometheus runs in a
    /// container and the workers on the host.</param>
    private static async Task<IResult> TargetsAsync(IJobClient client, CancellationToken cancellationToken, string? host = null)
    {
        var groups = new List<PrometheusTargetGroup>();
        foreach (var server in await client.GetServersAsync(cancellationToken))
        {
            if (!Uri.TryCreate(server.Endpoint, UriKind.Absolute, out var uri)) continue;
            var target = $"{(string.IsNullOrWhiteSpace(host) ? uri.Host : host)}:{uri.Port}";
            groups.Add(new PrometheusTargetGroup([target], new Dictionary<string, string>
            {
                ["job"] = "worker",
                ["server"] = server.Id,
                ["__scheme__"] = uri.Scheme,
            }));
        }
        return TypedResults.Ok(groups);
    }
}
