using JobPlatform.Jobs.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JobPlatform.Jobs.Storage;

/// <summary>
/// Migrates the schema before the host serves requests or processes jobs. A process started while the database
/// is down (restarting, say) waits for it, trying again less and less often, instead of crashing; any other
/// error (a wrong password, say) stops the start at once.
/// </summary>
internal sealed class SchemaInitializer(IServiceScopeFactory scopeFactory, ILogger<SchemaInitializer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        StartupRetry.RunAsync(logger, "Reaching the database to prepare the schema", async ct =>
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            await SchemaMigrator.MigrateAsync(scope.ServiceProvider.GetRequiredService<JobsDbContext>(), ct);
        }, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
