namespace JobPlatform.AppHost.Infrastructure;

/// <summary>Where the AppHost gets PostgreSQL, Prometheus and Grafana from.</summary>
public enum InfrastructureMode
{
    /// <summary>Containers on a container runtime (Docker or Podman).</summary>
    Containers,

    /// <summary>The programs installed on this machine, run as Aspire executable resources.</summary>
    LocalExecutables,
}
