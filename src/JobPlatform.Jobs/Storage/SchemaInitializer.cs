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
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var streak = new FailureStreak(logger, "Reaching the database to prepare the schema", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        while (true)
        {
            try
            {
                await using var scope = scopeFactory.CreateAsyncScope();
                await SchemaMigrator.MigrateAsync(scope.ServiceProvider.GetRequiredService<JobsDbContext>(), cancellationToken);
                streak.Succeeded();
                return;
            }
            catch (Exception e) when (DatabaseUnavailable.Is(e) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(streak.Failed(e), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
