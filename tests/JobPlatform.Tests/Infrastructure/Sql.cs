using Npgsql;

namespace JobPlatform.Tests.Infrastructure;

/// <summary>Plain SQL against a test database, for what a test checks behind the engine's back.</summary>
public static class Sql
{
    public static async Task<long> ScalarAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public static async Task<List<string>> StringsAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var result = new List<string>();
        while (await reader.ReadAsync()) result.Add(reader.IsDBNull(0) ? "" : reader.GetValue(0).ToString()!);
        return result;
    }

    public static async Task ExecuteAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Polls until the count <paramref name="countSql"/> returns reaches <paramref name="atLeast"/>.</summary>
    public static async Task WaitUntilAsync(string db, string countSql, long atLeast, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        long count;
        while ((count = await ScalarAsync(db, countSql)) < atLeast)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"'{countSql}' reached {count}, not {atLeast}.");
            await Task.Delay(50);
        }
    }

    /// <summary>How many sessions of the database wait on a lock (a row's, an advisory one).</summary>
    public const string LockWaiters = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";

    /// <summary>Until <paramref name="waiters"/> sessions of the database wait on a lock (a row's, an advisory one).</summary>
    public static Task WaitForLockWaitersAsync(string db, int waiters = 1) => WaitUntilAsync(db, LockWaiters, waiters, TimeSpan.FromSeconds(10));
}
