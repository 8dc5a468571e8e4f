using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Eventing;

namespace JobPlatform.AppHost.Local;

internal static class LocalGrafanaExtensions
{
    /// <summary>
    /// The machine's Grafana as the executable resource "grafana" on a free loopback port, provisioned from
    /// <c>deploy/grafana/</c> (datasource pointed at the local Prometheus, our dashboards, anonymous viewers as in the
    /// container). Null (and a log line naming what to install) when Grafana is not installed.
    /// </summary>
    public static IResourceBuilder<ExecutableResource>? AddLocalGrafana(
        this IDistributedApplicationBuilder builder, string name, LocalFolders folders, string deploy, IResourceBuilder<ExecutableResource> prometheus)
    {
        var binary = ProgramFinder.Find(["grafana", "grafana-server"], ["/usr/share/grafana/bin", "/usr/sbin", "/usr/local/bin", "/opt/homebrew/bin"]);
        var home = binary is null ? null : HomeOf(binary);
        if (binary is null || home is null)
        {
            Console.WriteLine("info: JobPlatform.AppHost: Grafana is not installed, so it is not started. Install it to have the " +
                "dashboards here: Debian/Ubuntu: Grafana's apt repository (https://grafana.com/docs/grafana/latest/setup-grafana/installation/debian/); " +
                "macOS: brew install grafana.");
            return null;
        }

        var folder = Path.Combine(folders.Root, "grafana");
        var provisioning = Path.Combine(folder, "provisioning");
        var dashboards = Path.Combine(deploy, "grafana", "dashboards");
        // Grafana 10 and later ship one "grafana" program with a "server" command; older ones "grafana-server".
        string[] command = Path.GetFileNameWithoutExtension(binary) == "grafana" ? ["server", "--homepath", home] : ["--homepath", home];

        var grafana = builder.AddExecutable(name, binary, workingDirectory: folder, command)
            .WithHttpEndpoint(name: "http", env: "GF_SERVER_HTTP_PORT", isProxied: false)
            .WithEnvironment("GF_SERVER_HTTP_ADDR", "127.0.0.1")
            .WithEnvironment("GF_PATHS_DATA", Path.Combine(folder, "data"))
            .WithEnvironment("GF_PATHS_LOGS", Path.Combine(folder, "logs"))
            .WithEnvironment("GF_PATHS_PLUGINS", Path.Combine(folder, "plugins"))
            .WithEnvironment("GF_PATHS_PROVISIONING", provisioning)
            .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "true")
            // Anonymous visitors may look, never change: Viewer at most.
            .WithEnvironment("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer")
            .WithEnvironment("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", Path.Combine(dashboards, "jobplatform-jobs.json"))
            .WithHttpHealthCheck("/api/health")
            .WaitFor(prometheus)
            .ExcludeFromManifest();

        // The container's provisioning files, with the two container paths replaced by this machine's.
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(grafana.Resource, async (_, cancellationToken) =>
        {
            var prometheusUrl = prometheus.GetEndpoint("http").Url;
            foreach (var source in Directory.GetFiles(Path.Combine(deploy, "grafana", "provisioning"), "*.y*ml", SearchOption.AllDirectories))
            {
                var target = Path.Combine(provisioning, Path.GetRelativePath(Path.Combine(deploy, "grafana", "provisioning"), source));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                var text = (await File.ReadAllTextAsync(source, cancellationToken))
                    .Replace("http://prometheus:9090", prometheusUrl, StringComparison.Ordinal)
                    .Replace("/etc/grafana/dashboards", dashboards.Replace('\\', '/'), StringComparison.Ordinal);
                await File.WriteAllTextAsync(target, text, cancellationToken);
            }
        });
        return grafana;
    }

    /// <summary>Grafana's home (its conf/defaults.ini and web assets): beside the program, or where packages put it.</summary>
    private static string? HomeOf(string binary)
    {
        string[] candidates =
        [
            Path.GetDirectoryName(Path.GetDirectoryName(binary)!)!,
            "/usr/share/grafana",
            "/opt/homebrew/opt/grafana/share/grafana",
            "/usr/local/opt/grafana/share/grafana",
            "/usr/local/share/grafana",
        ];
        return candidates.FirstOrDefault(dir => File.Exists(Path.Combine(dir, "conf", "defaults.ini")));
    }
}
