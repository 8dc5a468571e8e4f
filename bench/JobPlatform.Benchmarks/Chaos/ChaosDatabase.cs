using Npgsql;

namespace JobPlatform.Benchmarks.Chaos;

/// <summary>Plain SQL for what the chaos run checks behind the engine's back.</summary>
public sealed class ChaosDatabase(string connectionString)
{
    public string ConnectionString { get; } = connectionString;

    public async Task<long> ScalarAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public async Task<Dictionary<string, long>> CountsAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, long>();
        while (await reader.ReadAsync()) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
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
            return await ScalarAsync(sql);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return null;
        }
    }
}
