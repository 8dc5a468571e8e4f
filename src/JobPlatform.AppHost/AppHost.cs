using JobPlatform.AppHost.Containers;
using JobPlatform.AppHost.Infrastructure;
using JobPlatform.AppHost.Local;
using Microsoft.Extensions.Configuration;

// The JobPlatform topology for local development: PostgreSQL, the api, two workers, Prometheus, Grafana.
// PostgreSQL, Prometheus and Grafana come from containers where a container runtime works, else from the programs
// installed on this machine; a given ConnectionStrings:jobsdb replaces PostgreSQL (README, "Run the platform").
var builder = DistributedApplication.CreateBuilder(args);

var choice = builder.Announce(InfrastructureSelector.Choose(builder.Configuration, () => ContainerRuntimeProbe.Probe(builder.Configuration)));
var local = choice.Mode == InfrastructureMode.LocalExecutables ? LocalFolders.Resolve(builder.Configuration) : null;
var deploy = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "..", "deploy"));

IResourceBuilder<IResourceWithConnectionString> jobsdb;
IResourceBuilder<IResource> database;
if (choice.ExternalDatabase)
{
    jobsdb = builder.AddConnectionString("jobsdb");
    database = jobsdb;
}
else if (local is null)
{
    var postgres = builder.AddPostgres("postgres").WithDataVolume("jobplatform-postgres-data");
    jobsdb = postgres.AddDatabase("jobsdb");
    database = jobsdb;
}
else
{
    (var postgres, jobsdb) = builder.AddLocalPostgres("postgres", local);
    database = postgres;
}

// The api's admin key: generated once, kept in the AppHost's user secrets, shown (masked) under the
// "api-key" parameter in the Aspire dashboard; set Parameters:api-key to choose it.
var apiKey = builder.AddParameter("api-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true)
    .WithDescription("Admin API key of the JobPlatform api: send it in the X-Api-Key header.");

// Ports 8080 (api) and 5081 (worker) come from the projects' launch settings; 8080 is the seed system's port.
var api = builder.AddProject<Projects.JobPlatform_Api>("api")
    .WithReference(jobsdb).WaitFor(database)
    .WithEnvironment("JobPlatform__Api__AdminKeys__0", apiKey)
    // The jobs dashboard links each job to its trace in this Aspire dashboard.
    .WithEnvironment("JobPlatform__Dashboard__TraceUrl", AspireDashboard.TraceUrl(builder.Configuration))
    .WithExternalHttpEndpoints()
    // On every interface, so that Prometheus in a container reaches it through host.docker.internal.
    .WithEndpoint("http", endpoint => endpoint.TargetHost = "0.0.0.0")
    .WithHttpHealthCheck("/health")
    .WithUrlForEndpoint("http", _ => new ResourceUrlAnnotation { Url = "/scalar", DisplayText = "API reference (Scalar)" })
    .WithUrlForEndpoint("http", _ => new ResourceUrlAnnotation { Url = "/dashboard", DisplayText = "Jobs dashboard" })
    .WithHttpCommand("/api/demo/burst?count=50", "Enqueue demo jobs", commandOptions: new HttpCommandOptions
    {
        Method = HttpMethod.Post,
        Description = "Enqueues 50 simple, flaky and short long-running jobs",
        IconName = "Flash",
        PrepareRequest = async context =>
            context.Request.Headers.Add("X-Api-Key", await apiKey.Resource.GetValueAsync(context.CancellationToken)),
    });

builder.AddProject<Projects.JobPlatform_Worker>("worker")
    .WithReference(jobsdb).WaitFor(database)
    .WithReplicas(2)
    // Each replica listens on every interface, so Prometheus (in a container) can scrape it directly.
    .WithEndpoint("http", endpoint => endpoint.TargetHost = "0.0.0.0")
    .WithHttpHealthCheck("/health");

if (local is null)
{
    builder.AddContainerObservability(deploy, api);
}
else if (builder.AddLocalPrometheus("prometheus", local, deploy, api) is { } prometheus)
{
    builder.AddLocalGrafana("grafana", local, deploy, prometheus);
}

builder.Build().Run();
