using Aspire.Hosting.ApplicationModel;

namespace JobPlatform.AppHost.Infrastructure;

/// <summary>A resource that only shows, in the Aspire dashboard, which infrastructure mode was chosen and why.</summary>
public sealed class InfrastructureResource(string name) : Resource(name);
