using JobPlatform.Testing;
using Npgsql;

namespace JobPlatform.Benchmarks;

/// <summary>The PostgreSQL the benchmarks run against: JOBPLATFORM_BENCH_POSTGRES, or a durable temporary cluster.</summary>
public sealed class BenchServer : IAsyncDisposable
{
    private readonly LocalPostgresCluster? _cluster;

    private BenchServer(string admin, string description, LocalPostgresCluster? cluster)
    {
        AdminConnectionString = admin;
        Description = description;
        _cluster = cluster;
    }

    public string AdminConnectionString { get; }
    public string Description { get; }

    /// <summary>The variable that names an existing server (a user that may create databases).</summary>
    public const string ServerVariable = "JOBPLATFORM_BENCH_POSTGRES";

    /// <summary>A server someone else runs and keeps running.</summary>
    public static BenchServer Existing(string adminConnectionString) => new(adminConnectionString, "existing server", null);

    /// <param name="settings">More server settings (<c>name=value</c>) for a temporary cluster; an existing server keeps its own.</param>
    public static async Task<BenchServer> StartAsync(IReadOnlyList<string>? settings = null)
    {
        if (Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } given)
            return new BenchServer(given, ServerVariable, null);
        var binaries = LocalPostgresCluster.FindBinaries()
            ?? throw new InvalidOperationException("No PostgreSQL: install it (apt-get install postgresql) or set JOBPLATFORM_BENCH_POSTGRES.");
        var cluster = await LocalPostgresCluster.StartAsync(binaries, CancellationToken.None, durable: true, settings);
        return new BenchServer(cluster.AdminConnectionString, $"temporary cluster from {binaries}, default durability (fsync on, synchronous_commit on)", cluster);
    }

    public async Task<string> CreateDatabaseAsync(string name, int maxPoolSize = 100)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection)) await drop.ExecuteNonQueryAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection)) await create.ExecuteNonQueryAsync();
        // One connection string for every engine measured: the same pool and the same tuning (no session reset on
        // return to the pool, as JobPlatform's hosts set it; the peers keep no session state across uses either).
        return new NpgsqlConnectionStringBuilder(AdminConnectionString)
        {
            Database = name, Pooling = true, MaxPoolSize = maxPoolSize, NoResetOnClose = true,
        }.ConnectionString;
    }

    /// <summary>Drops a database and ends its connections, so that what one measurement left behind costs the next nothing.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>Writes every dirty page out now, so that the next measurement does not pay for the last one's.</summary>
    public async Task CheckpointAsync()
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var checkpoint = new NpgsqlCommand("CHECKPOINT", connection);
        await checkpoint.ExecuteNonQueryAsync();
    }

    public async Task<string> SettingsAsync()
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT version(), current_setting('fsync'), current_setting('synchronous_commit'), current_setting('shared_buffers')", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return $"{reader.GetString(0).Split(" on ")[0]}; fsync={reader.GetString(1)}, synchronous_commit={reader.GetString(2)}, shared_buffers={reader.GetString(3)}";
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}
