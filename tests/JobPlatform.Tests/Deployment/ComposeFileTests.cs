using System.Diagnostics;
using System.Text.RegularExpressions;
using JobPlatform.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace JobPlatform.Tests.Deployment;

/// <summary>
/// docker compose cannot run here, so its file is checked for what can be checked: structure, ports,
/// replicas, health checks, that every referenced file exists, and that the pieces agree with each other.
/// </summary>
public sealed partial class ComposeFileTests
{
    private readonly YamlMappingNode _compose = Load("docker-compose.yml");

    private YamlMappingNode Services => (YamlMappingNode)_compose["services"];

    [Fact]
    public void Compose_has_the_same_topology_as_the_apphost_and_a_preflight_before_it()
    {
        Assert.Equal(["api", "grafana", "migrate", "postgres", "preflight", "prometheus", "worker"], Services.Children.Keys.Select(k => k.ToString()).Order());
        foreach (var (name, service) in Services.Children.Where(s => s.Key.ToString() != "preflight"))
        {
            var dependsOn = (YamlMappingNode)((YamlMappingNode)service)["depends_on"];
            Assert.True(dependsOn.Children.ContainsKey("preflight") || dependsOn.Children.ContainsKey("<<"), $"{name} does not wait for preflight");
        }
        Assert.Contains("condition: service_completed_successfully", File.ReadAllText(Repository.PathOf("docker-compose.yml")));
    }

    [Theory]
    [InlineData("api", "8080:8080")]
    [InlineData("prometheus", "9090:9090")]
    [InlineData("grafana", "3000:3000")]
    [InlineData("postgres", "5432:5432")]
    public void Published_ports_are_the_documented_ones_on_loopback_unless_opted_out(string service, string port)
    {
        Assert.Equal(["${JOBPLATFORM_PUBLISH_ADDRESS:-127.0.0.1}:" + port], Strings(Service(service), "ports"));
    }

    [Fact]
    public void Prometheus_cannot_be_reconfigured_or_stopped_over_http()
    {
        Assert.DoesNotContain(Strings(Service("prometheus"), "command"), a => a.Contains("enable-lifecycle") || a.Contains("enable-admin-api"));
    }

    [Fact]
    public void Grafana_has_no_anonymous_access_and_its_admin_password_is_checked_by_preflight()
    {
        var environment = (YamlMappingNode)Service("grafana")["environment"];
        Assert.Equal("false", environment["GF_AUTH_ANONYMOUS_ENABLED"].ToString());
        Assert.False(environment.Children.ContainsKey("GF_AUTH_ANONYMOUS_ORG_ROLE"));
        Assert.Equal("${GRAFANA_ADMIN_PASSWORD:-admin}", ((YamlMappingNode)Service("preflight")["environment"])["GRAFANA_ADMIN_PASSWORD"].ToString());
    }

    [Fact]
    public void Worker_runs_two_replicas_without_a_published_port()
    {
        var worker = Service("worker");
        Assert.Equal("2", ((YamlMappingNode)worker["deploy"])["replicas"].ToString());
        Assert.False(worker.Children.ContainsKey("ports"));
    }

    [Fact]
    public void Postgres_has_a_healthcheck_and_a_named_volume_and_services_wait_for_it()
    {
        var postgres = Service("postgres");
        Assert.Contains("pg_isready", string.Join(" ", Strings((YamlMappingNode)postgres["healthcheck"], "test")));
        Assert.Contains("postgres-data:/var/lib/postgresql/data", Strings(postgres, "volumes"));
        foreach (var service in new[] { "api", "worker" })
            Assert.Equal("service_healthy", ((YamlMappingNode)((YamlMappingNode)Service(service)["depends_on"])["postgres"])["condition"].ToString());
    }

    [Fact]
    public void Migrate_changes_the_schema_as_the_migration_role_and_the_api_and_workers_run_as_the_runtime_role_after_it()
    {
        var postgres = Service("postgres");
        Assert.Contains("./deploy/postgres/initdb:/docker-entrypoint-initdb.d:ro", Strings(postgres, "volumes"));
        Assert.Contains("./deploy/postgres/roles.sql:/jobplatform/roles.sql:ro", Strings(postgres, "volumes"));
        var environment = (YamlMappingNode)postgres["environment"];
        Assert.Equal("${JOBPLATFORM_DB_USER:-jobplatform_app}", environment["JOBPLATFORM_DB_USER"].ToString());
        Assert.Equal("${JOBPLATFORM_MIGRATOR_USER:-jobplatform_migrator}", environment["JOBPLATFORM_MIGRATOR_USER"].ToString());
        var init = File.ReadAllText(Repository.PathOf("deploy/postgres/initdb/10-roles.sh"));
        foreach (var variable in new[] { "/jobplatform/roles.sql", "$JOBPLATFORM_MIGRATOR_USER", "$JOBPLATFORM_MIGRATOR_PASSWORD", "$JOBPLATFORM_DB_USER", "$JOBPLATFORM_DB_PASSWORD" })
            Assert.Contains(variable, init);

        // migrate: the api's image, its "migrate" command, the migration role, after postgres is healthy.
        var migrate = Service("migrate");
        Assert.Equal("jobplatform-api", migrate["image"].ToString());
        Assert.Equal(["migrate"], Strings(migrate, "command"));
        var migration = ((YamlMappingNode)migrate["environment"])["ConnectionStrings__jobsdb"].ToString();
        Assert.Contains("Username=${JOBPLATFORM_MIGRATOR_USER:-jobplatform_migrator}", migration);
        Assert.Equal("service_healthy", ((YamlMappingNode)((YamlMappingNode)migrate["depends_on"])["postgres"])["condition"].ToString());

        // The api and worker take their connection string from the x-jobsdb block (merged with "<<"), do not
        // migrate, and start once migrate has succeeded (the x-after-migrate block).
        var runtime = (YamlMappingNode)_compose["x-jobsdb"];
        Assert.Contains("Username=${JOBPLATFORM_DB_USER:-jobplatform_app}", runtime["ConnectionStrings__jobsdb"].ToString());
        Assert.DoesNotContain("POSTGRES_USER", runtime["ConnectionStrings__jobsdb"].ToString());
        Assert.Equal("false", runtime["JobPlatform__Schema__ApplyMigrations"].ToString());
        Assert.Equal("service_completed_successfully", ((YamlMappingNode)((YamlMappingNode)_compose["x-after-migrate"])["migrate"])["condition"].ToString());
        var text = File.ReadAllText(Repository.PathOf("docker-compose.yml"));
        Assert.Contains("<<: *jobsdb", text);
        Assert.Equal(2, Regex.Matches(text, @"<<: \*after-migrate").Count);
        foreach (var service in new[] { "api", "worker" })
        {
            Assert.Contains(((YamlMappingNode)Service(service)["environment"]).Children.Keys, k => k.ToString() == "<<");
            Assert.Contains(((YamlMappingNode)Service(service)["depends_on"]).Children.Keys, k => k.ToString() == "<<");
        }
    }

    [Fact]
    public void Every_named_volume_is_declared_and_every_bind_mount_exists()
    {
        var declared = ((YamlMappingNode)_compose["volumes"]).Children.Keys.Select(k => k.ToString()).ToHashSet();
        foreach (var (name, service) in Services.Children)
        foreach (var volume in Strings((YamlMappingNode)service, "volumes"))
        {
            var source = volume.Split(':')[0];
            if (source.StartsWith("./", StringComparison.Ordinal))
                Assert.True(Path.Exists(Repository.PathOf(source[2..])), $"{name}: bind mount {source} does not exist");
            else
                Assert.Contains(source, declared);
        }
    }

    [Theory]
    [InlineData("api", "JobPlatform.Api")]
    [InlineData("worker", "JobPlatform.Worker")]
    public void Dockerfiles_exist_are_multi_stage_and_run_as_a_non_root_user(string service, string project)
    {
        var build = (YamlMappingNode)Service(service)["build"];
        var dockerfile = Repository.PathOf(build["dockerfile"].ToString());
        var lines = File.ReadAllLines(dockerfile);

        Assert.True(lines.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)) >= 2, "not multi-stage");
        var user = lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal))[5..].Trim();
        Assert.NotEqual("root", user);
        Assert.NotEqual("0", user);
        Assert.Contains(lines, l => l.Contains($"\"{project}.dll\"", StringComparison.Ordinal));
        foreach (var line in lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal)))
        foreach (var source in line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1])
            Assert.True(Path.Exists(Repository.PathOf(source)), $"{dockerfile}: COPY source {source} does not exist");
    }

    [Fact]
    public void Every_variable_the_compose_file_reads_is_documented_in_env_example()
    {
        var compose = File.ReadAllText(Repository.PathOf("docker-compose.yml"));
        var documented = File.ReadAllLines(Repository.PathOf(".env.example"))
            .Where(l => l.Contains('=') && !l.StartsWith('#')).Select(l => l.Split('=')[0]).ToHashSet();

        var used = VariableRegex().Matches(compose).Select(m => m.Groups[1].Value).ToHashSet();

        Assert.NotEmpty(used);
        Assert.Subset(documented, used);
    }

    [Fact]
    public void Prometheus_scrapes_the_api_and_each_worker_on_the_port_they_listen_on()
    {
        foreach (var service in new[] { "api", "worker" })
            Assert.Equal("http://+:8080", ((YamlMappingNode)Service(service)["environment"])["ASPNETCORE_URLS"].ToString());

        var config = File.ReadAllText(Repository.PathOf("deploy", "prometheus", "prometheus.yml"));
        Assert.Contains("targets: [\"api:8080\"]", config);
        Assert.Matches(@"dns_sd_configs:\s+- names: \[""worker""\]\s+type: A\s+port: 8080", config);
    }

    [Fact]
    public void The_api_reads_its_admin_key_from_the_file_preflight_writes_and_has_no_default_key()
    {
        var environment = (YamlMappingNode)Service("api")["environment"];
        Assert.Equal("/run/jobplatform/api-key", environment["JobPlatform__Api__AdminKeyFiles__0"].ToString());
        Assert.DoesNotContain(environment.Children.Keys, k => k.ToString().StartsWith("JobPlatform__Api__AdminKeys", StringComparison.Ordinal));
        Assert.Contains("api-key:/run/jobplatform:ro", Strings(Service("api"), "volumes"));
        Assert.Contains("api-key:/run/jobplatform", Strings(Service("preflight"), "volumes"));
        Assert.Equal("${JOBPLATFORM_API_KEY:-}", ((YamlMappingNode)Service("preflight")["environment"])["JOBPLATFORM_API_KEY"].ToString());
    }

    [Fact]
    public void Grafana_is_provisioned_with_the_prometheus_service_and_the_mounted_dashboards()
    {
        var datasource = Load("deploy", "grafana", "provisioning", "datasources", "prometheus.yml");
        var url = ((YamlMappingNode)((YamlSequenceNode)datasource["datasources"])[0])["url"].ToString();
        Assert.Equal("http://prometheus:9090", url);

        var provider = (YamlMappingNode)((YamlSequenceNode)Load("deploy", "grafana", "provisioning", "dashboards", "jobplatform.yml")["providers"])[0];
        var path = ((YamlMappingNode)provider["options"])["path"].ToString();
        Assert.Contains($"./deploy/grafana/dashboards:{path}:ro", Strings(Service("grafana"), "volumes"));
        Assert.NotEmpty(Directory.GetFiles(Repository.PathOf("deploy", "grafana", "dashboards"), "*.json"));
    }

    [Theory]
    [InlineData("check", "config", "deploy/prometheus/prometheus.yml")]
    [InlineData("check", "config", "deploy/prometheus/prometheus.aspire.yml")]
    [InlineData("check", "rules", "deploy/prometheus/rules/jobplatform.yml")]
    [InlineData("test", "rules", "deploy/prometheus/tests/jobplatform.test.yml")]
    public void Promtool_accepts_the_prometheus_files(string verb, string what, string file)
    {
        var info = new ProcessStartInfo("promtool", [verb, what, file])
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("promtool is missing: install Prometheus (Debian: apt-get install prometheus); .ci/run does.");
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, output);
        }
    }

    private YamlMappingNode Service(string name) => (YamlMappingNode)Services[name];

    private static IEnumerable<string> Strings(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? ((YamlSequenceNode)value).Children.Select(c => c.ToString()) : [];

    private static YamlMappingNode Load(params string[] path)
    {
        using var reader = new StreamReader(Repository.PathOf(path));
        var yaml = new YamlStream();
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    [GeneratedRegex(@"\$\{([A-Z_][A-Z0-9_]*)")]
    private static partial Regex VariableRegex();
}
