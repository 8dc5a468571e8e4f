using System.Diagnostics;
using JobPlatform.Testing;
using Npgsql;
using Testcontainers.PostgreSql;

namespace JobPlatform.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL server for the whole test run, from the first source that works:
/// <list type="number">
/// <item><c>JOBPLATFORM_TEST_POSTGRES</c>: a connection string to a server you provide (a user that may create databases);</item>
/// <item>a temporary cluster from the local PostgreSQL binaries (Debian: <c>apt-get install postgresql</c>);</item>
/// <item>a container, where Docker works (Testcontainers).</item>
/// </list>
/// Otherwise it fails with what to install. Each test asks for its own fresh database.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string EnvironmentVariable = "JOBPLATFORM_TEST_POSTGRES";

    private LocalPostgresCluster? _cluster;
    private PostgreSqlContainer? _container;
    private readonly List<string> _databases = [];

    public string AdminConnectionString { get; private set; } = "";

    /// <summary>Where the server came from, for test output.</summary>
    public string Source { get; private set; } = "";

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            AdminConnectionString = given;
            Source = EnvironmentVariable;
        }
        else if (LocalPostgresCluster.FindBinaries() is { } binaries)
        {
            _cluster = await LocalPostgresCluster.StartAsync(binaries, cts.Token);
            AdminConnectionString = _cluster.AdminConnectionString;
            Source = $"temporary cluster from {binaries}";
        }
        else if (DockerWorks())
        {
            _container = new PostgreSqlBuilder("postgres:17-alpine").Build();
            await _container.StartAsync(cts.Token);
            AdminConnectionString = _container.GetConnectionString();
            Source = "container postgres:17-alpine";
        }
        else
        {
            throw new InvalidOperationException(
                "The tests need PostgreSQL and found none. Do one of: " +
                "(1) install the PostgreSQL server binaries (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql), " +
                $"(2) set {EnvironmentVariable} to a connection string of a server where the user may create databases, " +
                "(3) start Docker, so that a postgres container can be used.");
        }
    }

    /// <summary>Creates an empty database for one test and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "jobsdb")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)];
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        lock (_databases) _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_cluster is not null) await _cluster.DisposeAsync();
        else if (_container is not null) await _container.DisposeAsync();
        else await DropDatabasesAsync(); // a server we were given: leave it as we found it
    }

    private async Task DropDatabasesAsync()
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        foreach (var name in _databases)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static bool DockerWorks()
    {
        try
        {
            using var docker = Process.Start(new ProcessStartInfo("docker", "info") { RedirectStandardOutput = true, RedirectStandardError = true });
            return docker is not null && docker.WaitForExit(15_000) && docker.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
