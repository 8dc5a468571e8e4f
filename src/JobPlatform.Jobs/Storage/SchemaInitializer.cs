using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace JobPlatform.Jobs.Storage;

/// <summary>Migrates the schema before the host serves requests or processes jobs.</summary>
internal sealed class SchemaInitializer(IServiceScopeFactory scopeFactory) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        await SchemaMigrator.MigrateAsync(scope.ServiceProvider.GetRequiredService<JobsDbContext>(), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
