namespace JobPlatform.Jobs.Processing;

/// <summary>
/// Tells where this server's host can be reached (a web host gives its base URL), so that monitoring can
/// find every worker instance. The engine stores it without knowing what it means.
/// </summary>
public interface IServerEndpointSource
{
    string? GetEndpoint();
}
