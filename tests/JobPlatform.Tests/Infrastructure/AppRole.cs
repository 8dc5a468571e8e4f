extern alias api;

using JobPlatform.AppHost.Local;
using Npgsql;

namespace JobPlatform.Tests.Infrastructure;

/// <summary>
/// The roles docker-compose uses, created on a test database by running deploy/postgres/roles.sql with psql, as the
/// compose file's init script does: the migration role, which owns the schema, and the least-privilege runtime role.
/// </summary>
public static class AppRole
{
    public const string Password = "app-password-0123";

    public sealed record Role(string Name, string ConnectionString);

    /// <summary>
    /// Creates both roles on <paramref name="adminConnectionString"/>'s database and migrates its schema as the
    /// migration role, as compose's "migrate" does; returns the runtime role, which the api and workers run as.
    /// </summary>
    public static async Task<(string Name, string ConnectionString)> CreateAsync(string adminConnectionString)
    {
        var (migrator, app) = await CreateRolesAsync(adminConnectionString);
        await MigrateAsync(migrator.ConnectionString);
        return (app.Name, app.ConnectionString);
    }

    /// <summary>Creates both roles (names of their own: roles are per server) and nothing else.</summary>
    public static async Task<(Role Migrator, Role App)> CreateRolesAsync(string adminConnectionString)
    {
        var admin = new NpgsqlConnectionStringBuilder(adminConnectionString);
        var suffix = $"{Guid.NewGuid():N}"[..12];
        var (migrator, app) = ($"migrator_{suffix}", $"app_{suffix}");
        var psql = PostgresBinaries.Program(PostgresBinaries.Find() ?? throw new InvalidOperationException("psql is needed (apt-get install postgresql)"), "psql");
        var target = $"host={admin.Host} port={admin.Port} dbname={admin.Database} user={admin.Username}" +
            (string.IsNullOrEmpty(admin.Password) ? "" : $" password={admin.Password}");
        await LocalCommand.RunCheckedAsync(psql,
            ["-X", "-q", "-v", $"migrator_user={migrator}", "-v", $"migrator_password={Password}", "-v", $"app_user={app}", "-v", $"app_password={Password}",
             "-f", Repository.PathOf("deploy/postgres/roles.sql"), target],
            runAs: null, CancellationToken.None);
        string As(string role) => new NpgsqlConnectionStringBuilder(adminConnectionString) { Username = role, Password = Password }.ConnectionString;
        return (new Role(migrator, As(migrator)), new Role(app, As(app)));
    }

    /// <summary>The api's <c>migrate</c> command, as compose runs it; fails the test when it does not succeed.</summary>
    public static async Task MigrateAsync(string connectionString)
    {
        using var output = new StringWriter();
        var code = await api::JobPlatform.Api.Security.MigrateCommand.TryRunAsync(["migrate", $"--ConnectionStrings:jobsdb={connectionString}"], output, output);
        if (code != 0) throw new InvalidOperationException($"migrate ended with {code}: {output}");
    }
}
