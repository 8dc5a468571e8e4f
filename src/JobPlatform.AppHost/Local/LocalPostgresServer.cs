using System.Security.Cryptography;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace JobPlatform.AppHost.Local;

/// <summary>
/// One PostgreSQL data folder on this machine and the server that runs it: created once (initdb, with a generated
/// superuser password), started by Aspire as an executable resource, stopped with a fast shutdown when the AppHost
/// stops. Its data stays between runs; deleting <see cref="Folder"/> resets it.
/// </summary>
internal sealed class LocalPostgresServer(string binaries, LocalFolders folders)
{
    public const string Superuser = "postgres";
    public const string Database = "jobsdb";

    public string Folder => folders.Postgres;
    public string DataDirectory => Path.Combine(Folder, "data");
    public string? RunAs => folders.PostgresUser;
    public LocalPostgresPassword Password { get; } = new(Path.Combine(folders.Postgres, "superuser-password"));

    /// <summary>The command line of the server (without its port, which Aspire allocates).</summary>
    public (string File, string[] Args) ServerCommand()
    {
        string[] args = ["-D", DataDirectory, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"];
        // The socket goes in our own folder: the system's socket folder may belong to an installed server.
        if (!OperatingSystem.IsWindows()) args = [.. args, "-k", Folder];
        return LocalCommand.As(RunAs, PostgresBinaries.Program(binaries, "postgres"), args);
    }

    /// <summary>Before Aspire starts the server: the folder, the cluster (first run only), no server left running.</summary>
    public async Task PrepareAsync(ILogger logger, CancellationToken cancellationToken)
    {
        await CreateFolderAsync(cancellationToken);
        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            logger.LogInformation("Creating the PostgreSQL data folder {Folder} (first run; delete the folder to start afresh).", DataDirectory);
            await WritePasswordAsync(cancellationToken);
            await LocalCommand.RunCheckedAsync(PostgresBinaries.Program(binaries, "initdb"),
                ["-D", DataDirectory, "-U", Superuser, $"--pwfile={Password.File}", "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale"],
                RunAs, cancellationToken);
        }
        else
        {
            logger.LogInformation("Using the PostgreSQL data folder {Folder} (delete the folder to start afresh).", DataDirectory);
        }

        // A server an earlier AppHost left behind (killed before it could stop it) holds the folder's lock.
        if (await IsRunningAsync(cancellationToken))
        {
            logger.LogWarning("A PostgreSQL server from an earlier run still runs on {Folder}; stopping it.", DataDirectory);
            await StopAsync(cancellationToken);
        }
    }

    /// <summary>Fast shutdown: ends sessions, checkpoints and stops, so the next start needs no recovery.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid"))) return;
        await LocalCommand.RunAsync(PostgresBinaries.Program(binaries, "pg_ctl"),
            ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "30"], RunAs, cancellationToken);
    }

    /// <summary>Healthy once the server answers and <c>jobsdb</c> exists (it is created on the first check that finds it missing).</summary>
    public async Task<HealthCheckResult> CheckAsync(int port, CancellationToken cancellationToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = port, Username = Superuser, Password = await Password.GetValueAsync(cancellationToken),
            Database = "postgres", Pooling = false, Timeout = 5,
        }.ConnectionString;
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = Database } } };
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL on port {port} does not answer yet: {e.Message}");
        }
    }

    private async Task<bool> IsRunningAsync(CancellationToken cancellationToken) =>
        File.Exists(Path.Combine(DataDirectory, "postmaster.pid")) &&
        (await LocalCommand.RunAsync(PostgresBinaries.Program(binaries, "pg_ctl"), ["status", "-D", DataDirectory], RunAs, cancellationToken)).ExitCode == 0;

    private async Task CreateFolderAsync(CancellationToken cancellationToken)
    {
        if (RunAs is null)
        {
            Directory.CreateDirectory(Folder);
            return;
        }
        // As root: made by the server's user where it may (its own home), else made by us and handed over.
        if ((await LocalCommand.RunAsync("mkdir", ["-p", Folder], RunAs, cancellationToken)).ExitCode == 0) return;
        Directory.CreateDirectory(Folder);
        await LocalCommand.RunCheckedAsync("chown", [$"{RunAs}:", Folder], runAs: null, cancellationToken);
    }

    private async Task WritePasswordAsync(CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(Password.File, RandomNumberGenerator.GetHexString(32, lowercase: true), cancellationToken);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Password.File, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (RunAs is not null) await LocalCommand.RunCheckedAsync("chown", [$"{RunAs}:", Password.File], runAs: null, cancellationToken);
    }
}
