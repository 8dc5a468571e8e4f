using JobPlatform.Jobs.Resilience;
using Npgsql;

namespace JobPlatform.Benchmarks.Chaos;

/// <summary>Plain SQL for what the chaos run checks behind the engine's back.</summary>
public sealed class ChaosDatabase(string connectionString)
{
    public string ConnectionString { get; } = connectionString;

    /// <summary>How long a query waits out an outage (PostgreSQL's restart is part of the chaos) before it gives up.</summary>
    private static readonly TimeSpan OutageAllowance = TimeSpan.FromSeconds(60);

    /// <summary>One number; tried again while the database cannot be reached (see <see cref="OutageAllowance"/>).</summary>
    public Task<long> ScalarAsync(string sql, params object[] parameters) =>
        DespiteOutagesAsync(() => ScalarOnceAsync(sql, parameters));

    /// <summary>Counts by key; tried again while the database cannot be reached.</summary>
    public Task<Dictionary<string, long>> CountsAsync(string sql, params object[] parameters) =>
        DespiteOutagesAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
            await using var reader = await command.ExecuteReaderAsync();
            var counts = new Dictionary<string, long>();
            while (await reader.ReadAsync()) counts[reader.GetString(0)] = reader.GetInt64(1);
            return counts;
        });

    /// <summary>
    /// Runs the harness's own query, waiting out a database outage: the chaos restarts PostgreSQL while the harness
    /// looks at it, and a query meeting the restart is the harness's problem, not a finding about the engine.
    /// </summary>
    public static async Task<T> DespiteOutagesAsync<T>(Func<Task<T>> query)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await query();
            }
            catch (Exception e) when (IsOutage(e) && waited.Elapsed < OutageAllowance)
            {
                NpgsqlConnection.ClearAllPools(); // connections to the server that went away are dead
                await Task.Delay(250);
            }
        }
    }

    private static bool IsOutage(Exception e) => e is NpgsqlException { IsTransient: true } or TimeoutException
        || e is PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow }
        || e is NpgsqlException { InnerException: IOException or System.Net.Sockets.SocketException }
        // What the engine itself waits out, wrapped or not (EF's execution strategy wraps a transient failure).
        || DatabaseUnavailable.Is(e);

    private async Task<long> ScalarOnceAsync(string sql, object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>Jobs not yet in a terminal state; null while the database cannot be reached.</summary>
    public Task<long?> UnfinishedAsync() =>
        TryScalarAsync("SELECT count(*) FROM jobplatform.jobs WHERE state NOT IN ('succeeded', 'failed', 'cancelled')");

    /// <summary>Jobs in a terminal state; null while the database cannot be reached.</summary>
    public Task<long?> FinishedAsync() =>
        TryScalarAsync("SELECT count(*) FROM jobplatform.jobs WHERE state IN ('succeeded', 'failed', 'cancelled')");

    private async Task<long?> TryScalarAsync(string sql)
    {
        try
        {
            return await ScalarOnceAsync(sql, []);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return null;
        }
    }
}
