using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.AppHost;

/// <summary>
/// The AppHost's model where a container runtime exists (built, not started: there is no Docker here):
/// PostgreSQL with a volume, Prometheus and Grafana with their files mounted from deploy/.
/// </summary>
public sealed class AppHostModelTests
{
    [Fact]
    public async Task With_containers_the_model_has_postgres_prometheus_grafana_api_and_two_workers()
    {
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.JobPlatform_AppHost>(["JobPlatform:Infrastructure=containers"]);
        var resources = appHost.Resources.ToDictionary(r => r.Name);

        Assert.Subset(resources.Keys.ToHashSet(), new HashSet<string> { "postgres", "jobsdb", "api", "worker", "prometheus", "grafana" });
        Assert.Contains(resources["postgres"].Annotations.OfType<ContainerMountAnnotation>(), m => m.Type == ContainerMountType.Volume);
        Assert.Equal(2, resources["worker"].Annotations.OfType<ReplicaAnnotation>().Single().Replicas);
        Assert.Contains(resources["api"].Annotations.OfType<HealthCheckAnnotation>(), _ => true);
        Assert.Contains(resources["worker"].Annotations.OfType<HealthCheckAnnotation>(), _ => true);
        Assert.Contains(resources["api"].Annotations.OfType<ResourceCommandAnnotation>(), c => c.DisplayName == "Enqueue demo jobs");

        foreach (var name in new[] { "prometheus", "grafana" })
        foreach (var mount in resources[name].Annotations.OfType<ContainerMountAnnotation>().Where(m => m.Type == ContainerMountType.BindMount))
            Assert.True(Directory.Exists(mount.Source), $"{name}: bind mount source {mount.Source} does not exist");
        Assert.True(File.Exists(Repository.PathOf("deploy", "prometheus", "prometheus.aspire.yml")));
    }

    [Fact]
    public async Task With_containers_only_telemetry_listens_beyond_loopback_and_nothing_is_granted_to_anonymous_visitors()
    {
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.JobPlatform_AppHost>(["JobPlatform:Infrastructure=containers"]);
        var resources = appHost.Resources.ToDictionary(r => r.Name);
        var api = resources["api"].Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);

        // The api itself on loopback; a second, telemetry-only port for the Prometheus container.
        Assert.Equal("localhost", api["http"].TargetHost);
        Assert.Equal("0.0.0.0", api["telemetry"].TargetHost);
        Assert.Equal("0.0.0.0", resources["worker"].Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http").TargetHost);

        // The simplest way to read what a resource would get; its replacement (ExecutionConfigurationBuilder) is not for tests.
#pragma warning disable CS0618
        var grafana = await ((IResourceWithEnvironment)resources["grafana"]).GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Run);
        Assert.Equal("Viewer", grafana["GF_AUTH_ANONYMOUS_ORG_ROLE"]);
        var prometheus = await ((IResourceWithArgs)resources["prometheus"]).GetArgumentValuesAsync(DistributedApplicationOperation.Run);
#pragma warning restore CS0618
        Assert.DoesNotContain(prometheus, a => a.Contains("lifecycle") || a.Contains("admin-api"));
    }

    [Fact]
    public async Task Given_a_connection_string_no_postgres_container_is_added()
    {
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.JobPlatform_AppHost>(
            ["ConnectionStrings:jobsdb=Host=127.0.0.1;Database=x", "JobPlatform:Infrastructure=containers"]);

        var names = appHost.Resources.Select(r => r.Name).ToHashSet();

        Assert.DoesNotContain("postgres", names);
        Assert.Contains("prometheus", names); // the runtime still gives Prometheus and Grafana
        Assert.Contains("jobsdb", names);
        Assert.Contains("worker", names);
    }
}
