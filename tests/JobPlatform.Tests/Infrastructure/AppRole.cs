using JobPlatform.AppHost.Local;
using Npgsql;

namespace JobPlatform.Tests.Infrastructure;

/// <summary>
/// The least-privilege role docker-compose gives the api and workers, created on a test database by running
/// deploy/postgres/app-role.sql with psql, as the compose file's init script does.
/// </summary>
public static class AppRole
{
    public const string Password = "app-password-0123";

    /// <summary>Creates a role of its own (roles are per server) on <paramref name="adminConnectionString"/>'s database; returns its name and connection string.</summary>
    public static async Task<(string Name, string ConnectionString)> CreateAsync(string adminConnectionString)
    {
        var admin = new NpgsqlConnectionStringBuilder(adminConnectionString);
        var role = $"app_{Guid.NewGuid():N}"[..20];
        var psql = PostgresBinaries.Program(PostgresBinaries.Find() ?? throw new InvalidOperationException("psql is needed (apt-get install postgresql)"), "psql");
        var target = $"host={admin.Host} port={admin.Port} dbname={admin.Database} user={admin.Username}" +
            (string.IsNullOrEmpty(admin.Password) ? "" : $" password={admin.Password}");
        await LocalCommand.RunCheckedAsync(psql,
            ["-X", "-q", "-v", $"app_user={role}", "-v", $"app_password={Password}", "-f", Repository.PathOf("deploy/postgres/app-role.sql"), target],
            runAs: null, CancellationToken.None);
        return (role, new NpgsqlConnectionStringBuilder(adminConnectionString) { Username = role, Password = Password }.ConnectionString);
    }
}
