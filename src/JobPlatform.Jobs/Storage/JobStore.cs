using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace JobPlatform.Jobs.Storage;

/// <summary>
/// The driver boundary: every statement the engine sends to PostgreSQL on its hot paths lives here.
/// It borrows the connection (and any transaction) of the scoped <see cref="JobsDbContext"/>, so pooling,
/// retries and tracing are whatever the host configured for that context. Times are the database's clock
/// (<c>now()</c>), the one clock all nodes share. An outcome is written only while the caller still holds
/// the claim: the fencing token must match, so a server whose lease expired cannot overwrite a rescued job.
/// </summary>
public sealed partial class JobStore
{
    private readonly JobsDbContext? _db;
    private readonly NpgsqlTransaction? _transaction;

    public JobStore(JobsDbContext db) => _db = db;

    private JobStore(NpgsqlTransaction transaction) => _transaction = transaction;

    /// <summary>A store whose statements run in the caller's transaction (enqueue as part of a business change).</summary>
    public static JobStore In(NpgsqlTransaction transaction) =>
        new(transaction ?? throw new ArgumentNullException(nameof(transaction)));

    public const string EnqueuedChannel = "jobplatform_enqueued";
    public const string CancelChannel = "jobplatform_cancel";

    private const string Unfinished = "('scheduled','enqueued','processing','awaiting')";
    private const string Finished = "('succeeded','failed','cancelled')";

    /// <summary>Wakes idle servers: jobs became claimable other than by an insert (which notifies by trigger).</summary>
    public async Task NotifyEnqueuedAsync(CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync($"SELECT pg_notify('{EnqueuedChannel}', '')", cancellationToken);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter Nullable(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };

    private async Task<NpgsqlCommand> CreateCommandAsync(string sql, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        // The caller's transaction, or one opened on the engine's own context, if any.
        command.Transaction = _transaction ?? _db!.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction;
        return command;
    }

    private async Task<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        if (_transaction is not null)
            return _transaction.Connection
                ?? throw new InvalidOperationException("The transaction has already been committed or rolled back.");

        var connection = (NpgsqlConnection)_db!.Database.GetDbConnection();
        // EF closes the connection when the context is disposed or returned to its pool.
        if (connection.State != ConnectionState.Open) await _db.Database.OpenConnectionAsync(cancellationToken);
        return connection;
    }
}
