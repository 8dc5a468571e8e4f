using JobPlatform.Jobs.Resilience;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobPlatform.Jobs.Storage;

/// <summary>
/// Migrates the schema before the host serves requests or processes jobs, where it is behind — or, where another
/// role migrates (<see cref="SchemaOptions.ApplyMigrations"/> false), refuses to start on a schema that is behind. A process started while the
/// database is down (restarting, say) waits for it, trying again less and less often, instead of crashing; any other
/// error (a wrong password, a schema behind this version) stops the start at once.
/// </summary>
internal sealed class SchemaInitializer(IServiceScopeFactory scopeFactory, IOptions<SchemaOptions> options, ILogger<SchemaInitializer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        StartupRetry.RunAsync(logger, "Reaching the database to prepare the schema", async ct =>
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
            // A current schema is left alone: no lock, no DDL, nothing a role that may only read and write rows cannot do.
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            if (pending.Count == 0) return;
            if (options.Value.ApplyMigrations) await SchemaMigrator.MigrateAsync(db, ct);
            else
                throw new SchemaBehindException(
                    $"The jobs database's schema lacks {pending.Count} migrations of this version ({string.Join(", ", pending)}), and this " +
                    $"process does not migrate ({SchemaOptions.Section}:ApplyMigrations is false). Migrate first, as the role that owns the schema: " +
                    "dotnet JobPlatform.Api.dll migrate (docker compose runs it as the service \"migrate\").");
        }, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The schema is older than this version and this process may not migrate it.</summary>
public sealed class SchemaBehindException(string message) : InvalidOperationException(message);
