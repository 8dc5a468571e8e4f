using JobPlatform.Jobs.DependencyInjection;
using JobPlatform.Jobs.Storage;
using Microsoft.EntityFrameworkCore;

namespace JobPlatform.Api.Security;

/// <summary>
/// <c>dotnet JobPlatform.Api.dll migrate</c>: brings the jobs database's schema up to date and exits, run as the role
/// that owns the schema (<c>ConnectionStrings:jobsdb</c>, from the environment or the command line). Where it runs,
/// the api and workers run as a role that may not change tables, with <c>JobPlatform:Schema:ApplyMigrations</c>
/// false (docker compose's service "migrate").
/// </summary>
public static class MigrateCommand
{
    public const string Name = "migrate";

    /// <returns>The command's exit code when the arguments asked for it (it has then run); null to start the api.</returns>
    public static async Task<int?> TryRunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args is not [Name, .. var settings]) return null;
        var builder = Host.CreateApplicationBuilder(settings);
        if (string.IsNullOrEmpty(builder.Configuration.GetConnectionString("jobsdb")))
        {
            error.WriteLine("No database to migrate: set ConnectionStrings__jobsdb (or --ConnectionStrings:jobsdb=...) to the migration role's connection string.");
            return 2;
        }
        builder.AddNpgsqlDbContext<JobsDbContext>("jobsdb", s => s.DisableHealthChecks = true);
        builder.Services.AddJobPlatform();
        using var host = builder.Build();
        try
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
            var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
            await SchemaMigrator.MigrateAsync(db, CancellationToken.None);
            output.WriteLine(pending.Count == 0 ? "JobPlatform: the schema was up to date." : $"JobPlatform: applied {pending.Count} migrations: {string.Join(", ", pending)}.");
            return 0;
        }
        catch (Exception e)
        {
            error.WriteLine($"JobPlatform: migrating the schema failed: {e.Message}");
            return 1;
        }
    }
}
