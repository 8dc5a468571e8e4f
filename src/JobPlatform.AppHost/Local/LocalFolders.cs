using Microsoft.Extensions.Configuration;

namespace JobPlatform.AppHost.Local;

/// <summary>
/// Where local-executable mode keeps its data between runs: under the user's local application data
/// (<c>~/.local/share/JobPlatform</c> on Linux, <c>%LOCALAPPDATA%\JobPlatform</c> on Windows), never in the repository;
/// <c>JobPlatform:Local:DataDirectory</c> moves it. As root, PostgreSQL runs as an ordinary user
/// (<c>JobPlatform:Local:PostgresUser</c>, default <c>postgres</c>) that cannot enter root's home, so its data lives
/// in that user's own local application data.
/// </summary>
/// <param name="Root">Prometheus's and Grafana's data, and generated configuration.</param>
/// <param name="Postgres">The PostgreSQL data folder's parent (also its socket folder and password file).</param>
/// <param name="PostgresUser">The user PostgreSQL runs as when we are root; null otherwise.</param>
internal sealed record LocalFolders(string Root, string Postgres, string? PostgresUser)
{
    public const string DataDirectorySetting = "JobPlatform:Local:DataDirectory";
    public const string PostgresUserSetting = "JobPlatform:Local:PostgresUser";

    public static LocalFolders Resolve(IConfiguration configuration)
    {
        var configured = configuration[DataDirectorySetting];
        var root = configured is { Length: > 0 }
            ? Path.GetFullPath(configured)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "JobPlatform");
        if (!LocalCommand.IsRoot) return new(root, Path.Combine(root, "postgres"), null);

        var user = configuration[PostgresUserSetting] is { Length: > 0 } name ? name : "postgres";
        var postgres = configured is { Length: > 0 }
            ? Path.Combine(root, "postgres")
            : Path.Combine(HomeOf(user), ".local", "share", "JobPlatform", "postgres");
        return new(root, postgres, user);
    }

    private static string HomeOf(string user)
    {
        var entry = File.Exists("/etc/passwd")
            ? File.ReadLines("/etc/passwd").Select(line => line.Split(':')).FirstOrDefault(fields => fields.Length > 5 && fields[0] == user)
            : null;
        return entry?[5] ?? throw new DistributedApplicationException(
            $"PostgreSQL refuses to run as root, so the AppHost runs it as the user '{user}', which does not exist here. " +
            $"Create it (useradd --system {user}; Debian's postgresql package does) or name another one in {PostgresUserSetting}.");
    }
}
