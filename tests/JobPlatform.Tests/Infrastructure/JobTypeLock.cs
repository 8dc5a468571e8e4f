using JobPlatform.Jobs.Storage;
using Npgsql;

namespace JobPlatform.Tests.Infrastructure;

/// <summary>
/// Holds a limited job type's <c>job_types</c> row locked, as another server's claim or a heartbeat refreshing the
/// limits does for a moment: a claim for that type waits on it between its first statement and its claim statement,
/// which lets a test change the database in between.
/// </summary>
public sealed class JobTypeLock : IAsyncDisposable
{
    private readonly string _db;
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private JobTypeLock(string db, NpgsqlConnection connection, NpgsqlTransaction transaction) =>
        (_db, _connection, _transaction) = (db, connection, transaction);

    /// <summary>Registers <paramref name="types"/> as a worker would (without one processing them) in a store.</summary>
    public static Task RegisterAsync(EngineHost client, params JobTypeRecord[] types) =>
        client.WithStoreAsync(async s =>
        {
            await s.UpsertJobTypesAsync("registrar", types, CancellationToken.None);
            return 0;
        });

    public static async Task<JobTypeLock> HoldAsync(string db, string type)
    {
        var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var lockType = new NpgsqlCommand("SELECT 1 FROM jobplatform.job_types WHERE name = @type FOR UPDATE", connection, transaction);
        lockType.Parameters.AddWithValue("type", type);
        await lockType.ExecuteNonQueryAsync();
        return new JobTypeLock(db, connection, transaction);
    }

    /// <summary>Until a session of the database waits on a lock (the claim, on this one).</summary>
    public Task WaitForWaiterAsync() => Sql.WaitForLockWaitersAsync(_db);

    public Task ReleaseAsync() => _transaction.CommitAsync();

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
