using Microsoft.Extensions.Configuration;

// The JobPlatform topology for local development: PostgreSQL, the api, two workers, Prometheus, Grafana.
// Given ConnectionStrings:jobsdb, it uses that database instead of a container; without a container
// runtime it runs only the api and workers (see README, "Run without Docker").
var builder = DistributedApplication.CreateBuilder(args);

var containers = ContainerRuntimeProbe.IsAvailable(builder.Configuration);
var deploy = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "..", "deploy"));

IResourceBuilder<IResourceWithConnectionString> jobsdb;
if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("jobsdb")))
{
    jobsdb = builder.AddConnectionString("jobsdb");
}
else if (containers)
{
    jobsdb = builder.AddPostgres("postgres").WithDataVolume("jobplatform-postgres-data").AddDatabase("jobsdb");
}
else
{
    throw new DistributedApplicationException(
        "No container runtime was found, so PostgreSQL cannot be started for you. Give an existing database instead: " +
        "dotnet user-secrets --project src/JobPlatform.AppHost set ConnectionStrings:jobsdb \"Host=localhost;Database=jobsdb;Username=...;Password=...\" " +
        "(or set the environment variable ConnectionStrings__jobsdb).");
}

// The api's admin key: generated once, kept in the AppHost's user secrets, shown (masked) under the
// "api-key" parameter in the Aspire dashboard; set Parameters:api-key to choose it.
var apiKey = builder.AddParameter("api-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true)
    .WithDescription("Admin API key of the JobPlatform api: send it in the X-Api-Key header.");

// Ports 8080 (api) and 5081 (worker) come from the projects' launch settings; 8080 is the seed system's port.
var api = builder.AddProject<Projects.JobPlatform_Api>("api")
    .WithReference(jobsdb).WaitFor(jobsdb)
    .WithEnvironment("JobPlatform__Api__AdminKeys__0", apiKey)
    .WithExternalHttpEndpoints()
    // On every interface, so that Prometheus in a container reaches it through host.docker.internal.
    .WithEndpoint("http", endpoint => endpoint.TargetHost = "0.0.0.0")
    .WithHttpHealthCheck("/health")
    .WithUrlForEndpoint("http", _ => new ResourceUrlAnnotation { Url = "/scalar", DisplayText = "API reference (Scalar)" })
    .WithHttpCommand("/api/demo/burst?count=50", "Enqueue demo jobs", commandOptions: new HttpCommandOptions
    {
        Method = HttpMethod.Post,
        Description = "Enqueues 50 simple, flaky and short long-running jobs",
        IconName = "Flash",
        PrepareRequest = async context =>
            context.Request.Headers.Add("X-Api-Key", await apiKey.Resource.GetValueAsync(context.CancellationToken)),
    });

builder.AddProject<Projects.JobPlatform_Worker>("worker")
    .WithReference(jobsdb).WaitFor(jobsdb)
    .WithReplicas(2)
    // Each replica listens on every interface, so Prometheus (in a container) can scrape it directly.
    .WithEndpoint("http", endpoint => endpoint.TargetHost = "0.0.0.0")
    .WithHttpHealthCheck("/health");

if (containers)
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
else
{
    Console.WriteLine("info: JobPlatform.AppHost: no container runtime found; Prometheus and Grafana are skipped " +
        "(the api and workers still serve /metrics). Set JobPlatform:UseContainers=true to force them.");
}

builder.Build().Run();
