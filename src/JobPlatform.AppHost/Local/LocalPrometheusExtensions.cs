using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Eventing;

namespace JobPlatform.AppHost.Local;

internal static class LocalPrometheusExtensions
{
    /// <summary>
    /// The machine's Prometheus as the executable resource "prometheus" on a free loopback port, scraping the api
    /// and every worker instance of this run, with its data under the local application data. Null (and a log line
    /// naming what to install) when Prometheus is not installed.
    /// </summary>
    public static IResourceBuilder<ExecutableResource>? AddLocalPrometheus(
        this IDistributedApplicationBuilder builder, string name, LocalFolders folders, string deploy, IResourceBuilder<ProjectResource> api)
    {
        var binary = ProgramFinder.Find(["prometheus"], ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin", "/opt/prometheus"]);
        if (binary is null)
        {
            Console.WriteLine("info: JobPlatform.AppHost: Prometheus is not installed, so it is not started (the api and workers still " +
                "serve /metrics). Install it to have it here: Debian/Ubuntu: sudo apt-get install prometheus; macOS: brew install prometheus.");
            return null;
        }

        var folder = Path.Combine(folders.Root, "prometheus");
        var config = Path.Combine(folder, "prometheus.yml");
        var prometheus = builder.AddExecutable(name, binary, workingDirectory: folder)
            .WithHttpEndpoint(name: "http", env: null, isProxied: false)
            .WithHttpHealthCheck("/-/ready")
            .WaitFor(api)
            .ExcludeFromManifest();
        var endpoint = prometheus.GetEndpoint("http");
        prometheus.WithArgs(context =>
        {
            context.Args.Add($"--config.file={config}");
            context.Args.Add($"--storage.tsdb.path={Path.Combine(folder, "data")}");
            context.Args.Add(ReferenceExpression.Create($"--web.listen-address=127.0.0.1:{endpoint.Property(EndpointProperty.TargetPort)}"));
        });

        // Written just before Prometheus starts, when the api's port of this run is known.
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(prometheus.Resource, async (_, cancellationToken) =>
        {
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(config, LocalPrometheusConfig.From(deploy, api.GetEndpoint("http").Port), cancellationToken);
        });
        return prometheus;
    }
}
