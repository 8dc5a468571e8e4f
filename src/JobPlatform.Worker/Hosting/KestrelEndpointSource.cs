using JobPlatform.Jobs.Processing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace JobPlatform.Worker.Hosting;

/// <summary>
/// Reports the worker's own listening address with its heartbeat, so Prometheus can scrape each worker
/// instance directly (the api turns the server list into Prometheus targets), even behind Aspire's proxy.
/// </summary>
internal sealed class KestrelEndpointSource(IServer server) : IServerEndpointSource
{
    public string? GetEndpoint() =>
        server.Features.Get<IServerAddressesFeature>()?.Addresses
            .OrderBy(a => a.StartsWith("https", StringComparison.Ordinal)) // plain http first: what Prometheus scrapes
            .FirstOrDefault();
}
