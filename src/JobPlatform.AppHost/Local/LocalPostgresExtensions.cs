using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Eventing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace JobPlatform.AppHost.Local;

internal static class LocalPostgresExtensions
{
    /// <summary>
    /// PostgreSQL from this machine's installation as the executable resource "postgres" on a free loopback port,
    /// with its data kept under the local application data, and <c>jobsdb</c> on it.
    /// </summary>
    /// <returns>The server (to wait for) and the <c>jobsdb</c> connection string (to reference).</returns>
    public static (IResourceBuilder<ExecutableResource> Server, IResourceBuilder<IResourceWithConnectionString> Database) AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, LocalFolders folders)
    {
        var binaries = PostgresBinaries.Find() ?? throw new DistributedApplicationException(
            "No container runtime was found, and no PostgreSQL server is installed to run instead. Do one of: " +
            "install PostgreSQL (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql; Windows: the EDB installer), " +
            "start Docker or Podman, or give an existing database: dotnet user-secrets --project src/JobPlatform.AppHost set " +
            "ConnectionStrings:jobsdb \"Host=localhost;Database=jobsdb;Username=...;Password=...\".");
        var server = new LocalPostgresServer(binaries, folders);
        var (file, args) = server.ServerCommand();

        var postgres = builder.AddExecutable(name, file, workingDirectory: server.Folder, args)
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false)
            .WithUrls(context => context.Urls.Clear()) // a database port, nothing to open in a browser
            .ExcludeFromManifest();
        var endpoint = postgres.GetEndpoint("tcp");
        postgres.WithArgs(context =>
        {
            context.Args.Add("-p");
            context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
        });

        var healthCheck = $"{name}-accepts-{LocalPostgresServer.Database}";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, cancellationToken => endpoint.IsAllocated
            ? server.CheckAsync(endpoint.Port, cancellationToken)
            : Task.FromResult(HealthCheckResult.Unhealthy("PostgreSQL has no port yet.")));
        postgres.WithHealthCheck(healthCheck);

        builder.Eventing.Subscribe<BeforeStartEvent>(async (@event, cancellationToken) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(postgres.Resource);
            await server.PrepareAsync(logger, cancellationToken);
        });
        builder.Services.AddHostedService(_ => new LocalPostgresShutdown(server));

        var database = builder.AddConnectionString(LocalPostgresServer.Database, ReferenceExpression.Create(
            $"Host=127.0.0.1;Port={endpoint.Property(EndpointProperty.Port)};Database={LocalPostgresServer.Database};Username={LocalPostgresServer.Superuser};Password={server.Password}"));
        return (postgres, database);
    }
}
