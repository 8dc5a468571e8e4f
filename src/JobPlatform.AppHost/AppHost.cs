using JobPlatform.AppHost.Containers;
using JobPlatform.AppHost.Infrastructure;
using JobPlatform.AppHost.Local;
using JobPlatform.AppHost.Security;
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

// Ports 8080 (api) and 5081 (worker) come from the projects' launch settings; 8080 is the seed system's port.
var api = builder.AddProject<Projects.JobPlatform_Api>("api")
    .WithReference(jobsdb).WaitFor(database)
    // The jobs dashboard links each job to its trace in this Aspire dashboard.
    .WithEnvironment("JobPlatform__Dashboard__TraceUrl", AspireDashboard.TraceUrl(builder.Configuration))
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithUrlForEndpoint("http", _ => new ResourceUrlAnnotation { Url = "/scalar", DisplayText = "API reference (Scalar)" })
    .WithUrlForEndpoint("http", _ => new ResourceUrlAnnotation { Url = "/dashboard", DisplayText = "Jobs dashboard" });
// This machine only, open; or, opted in, every interface behind a key and a login.
var apiKey = api.WithNetworkExposure(NetworkExposure.IsExposed(builder.Configuration));
api.WithHttpCommand("/api/demo/burst?count=50", "Enqueue demo jobs", commandOptions: new HttpCommandOptions
{
    Method = HttpMethod.Post,
    Description = "Enqueues 50 simple, flaky and short long-running jobs",
    IconName = "Flash",
    PrepareRequest = async context =>
    {
        if (apiKey is not null) context.Request.Headers.Add("X-Api-Key", await apiKey.Resource.GetValueAsync(context.CancellationToken));
    },
});

var worker = builder.AddProject<Projects.JobPlatform_Worker>("worker")
    .WithReference(jobsdb).WaitFor(database)
    .WithReplicas(2)
    .WithHttpHealthCheck("/health");

if (local is null)
{
    builder.AddContainerObservability(deploy, api, worker);
}
else if (builder.AddLocalPrometheus("prometheus", local, deploy, api) is { } prometheus)
{
    builder.AddLocalGrafana("grafana", local, deploy, prometheus);
}

builder.Build().Run();
