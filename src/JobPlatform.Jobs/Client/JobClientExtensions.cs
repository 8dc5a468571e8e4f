using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace JobPlatform.Jobs.Client;

/// <summary>Typed helpers over <see cref="IJobClient"/>.</summary>
public static class JobClientExtensions
{
    public static Task<EnqueueResult> EnqueueAsync<TPayload>(
        this IJobClient client, string type, TPayload payload, EnqueueOptions? options = null,
        CancellationToken cancellationToken = default) =>
        client.EnqueueAsync(type, JsonSerializer.Serialize(payload, JobJson.Options), options, cancellationToken);

    /// <summary>Enqueues many jobs of one type with binary COPY; see <see cref="IJobClient.EnqueueManyAsync"/>.</summary>
    public static Task<IReadOnlyList<Guid>> EnqueueManyAsync<TPayload>(
        this IJobClient client, string type, IEnumerable<TPayload> payloads, EnqueueOptions? options = null,
        CancellationToken cancellationToken = default) =>
        client.EnqueueManyAsync(type, payloads.Select(p => JsonSerializer.Serialize(p, JobJson.Options)), options, cancellationToken);

    /// <summary>Enqueues inside the caller's open transaction on an Npgsql connection.</summary>
    public static Task<EnqueueResult> EnqueueAsync<TPayload>(
        this IJobClient client, NpgsqlTransaction transaction, string type, TPayload payload, EnqueueOptions? options = null,
        CancellationToken cancellationToken = default) =>
        client.EnqueueAsync(transaction, type, JsonSerializer.Serialize(payload, JobJson.Options), options, cancellationToken);

    /// <summary>
    /// Enqueues inside the transaction the caller opened on its own <see cref="DbContext"/> (PostgreSQL):
    /// the job exists if and only if <c>SaveChanges</c> and the commit went through.
    /// </summary>
    /// <exception cref="InvalidOperationException">The context has no open Npgsql transaction.</exception>
    public static Task<EnqueueResult> EnqueueAsync<TPayload>(
        this IJobClient client, DbContext context, string type, TPayload payload, EnqueueOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var transaction = context.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction
            ?? throw new InvalidOperationException(
                "Begin a transaction on the context first (context.Database.BeginTransactionAsync()); the job joins it.");
        return client.EnqueueAsync(transaction, type, payload, options, cancellationToken);
    }
}
