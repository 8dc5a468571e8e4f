using JobPlatform.AppHost.Security;

namespace JobPlatform.AppHost.Containers;

public static class ContainerObservabilityExtensions
{
    /// <summary>The api's telemetry-only port (metrics, health, the Prometheus targets list) in container mode.</summary>
    public const int ApiTelemetryPort = 8081;

    /// <summary>
    /// Prometheus and Grafana as containers, configured from the files in <c>deploy/</c> (bind-mounted): Prometheus
    /// reaches the api and workers on the host through host.docker.internal; Grafana opens on the jobs dashboard.
    /// A container reaches the host only on an interface other than loopback, so the workers (which serve nothing
    /// but health and metrics) listen on every interface, and the api gets a second, telemetry-only port there
    /// (<c>JobPlatform:Api:TelemetryPort</c>), its own port staying where its access setting puts it: nothing on
    /// these listeners is granted by address.
    /// </summary>
    public static void AddContainerObservability(this IDistributedApplicationBuilder builder, string deploy,
        IResourceBuilder<ProjectResource> api, IResourceBuilder<ProjectResource> worker)
    {
        api.WithHttpEndpoint(port: ApiTelemetryPort, name: "telemetry", isProxied: false)
            .WithEndpoint("telemetry", endpoint => endpoint.TargetHost = NetworkExposure.AllInterfaces)
            .WithEnvironment("JobPlatform__Api__TelemetryPort", ApiTelemetryPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        worker.WithEndpoint("http", endpoint => endpoint.TargetHost = NetworkExposure.AllInterfaces);

        var prometheus = builder.AddContainer("prometheus", "prom/prometheus", "v3.5.0")
            .WithBindMount(Path.Combine(deploy, "prometheus"), "/etc/prometheus", isReadOnly: true)
            .WithArgs("--config.file=/etc/prometheus/prometheus.aspire.yml")
            .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway")
            .WithHttpEndpoint(port: 9090, targetPort: 9090)
            .WaitFor(api)
            .WaitFor(worker);

        builder.AddContainer("grafana", "grafana/grafana", "12.1.1")
            .WithBindMount(Path.Combine(deploy, "grafana", "provisioning"), "/etc/grafana/provisioning", isReadOnly: true)
            .WithBindMount(Path.Combine(deploy, "grafana", "dashboards"), "/etc/grafana/dashboards", isReadOnly: true)
            .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "true")
            // Anonymous visitors may look, never change: Viewer at most.
            .WithEnvironment("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer")
            .WithEnvironment("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "/etc/grafana/dashboards/jobplatform-jobs.json")
            .WithHttpEndpoint(port: 3000, targetPort: 3000)
            .WaitFor(prometheus);
    }
}
