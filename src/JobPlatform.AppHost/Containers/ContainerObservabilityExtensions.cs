namespace JobPlatform.AppHost.Containers;

public static class ContainerObservabilityExtensions
{
    /// <summary>
    /// Prometheus and Grafana as containers, configured from the files in <c>deploy/</c> (bind-mounted): Prometheus
    /// reaches the api and workers on the host through host.docker.internal; Grafana opens on the jobs dashboard.
    /// </summary>
    public static void AddContainerObservability(this IDistributedApplicationBuilder builder, string deploy, IResourceBuilder<ProjectResource> api)
    {
        var prometheus = builder.AddContainer("prometheus", "prom/prometheus", "v3.5.0")
            .WithBindMount(Path.Combine(deploy, "prometheus"), "/etc/prometheus", isReadOnly: true)
            .WithArgs("--config.file=/etc/prometheus/prometheus.aspire.yml", "--web.enable-lifecycle")
            .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway")
            .WithHttpEndpoint(port: 9090, targetPort: 9090)
            .WaitFor(api);

        builder.AddContainer("grafana", "grafana/grafana", "12.1.1")
            .WithBindMount(Path.Combine(deploy, "grafana", "provisioning"), "/etc/grafana/provisioning", isReadOnly: true)
            .WithBindMount(Path.Combine(deploy, "grafana", "dashboards"), "/etc/grafana/dashboards", isReadOnly: true)
            .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "true")
            .WithEnvironment("GF_AUTH_ANONYMOUS_ORG_ROLE", "Admin")
            .WithEnvironment("GF_AUTH_DISABLE_LOGIN_FORM", "true")
            .WithEnvironment("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "/etc/grafana/dashboards/jobplatform-jobs.json")
            .WithHttpEndpoint(port: 3000, targetPort: 3000)
            .WaitFor(prometheus);
    }
}
