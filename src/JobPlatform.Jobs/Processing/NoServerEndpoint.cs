namespace JobPlatform.Jobs.Processing;

/// <summary>The default: a host that does not say where it can be reached.</summary>
internal sealed class NoServerEndpoint : IServerEndpointSource
{
    public string? GetEndpoint() => null;
}
