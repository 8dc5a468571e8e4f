using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace JobPlatform.Testing;

/// <summary>
/// Keeps the text and parameters of the last query EF Core sent, so that its plan can be shown (see
/// <see cref="QueryPlans.ExplainAsync(NpgsqlConnection, CapturedCommand, string)"/>).
/// </summary>
public sealed class CapturedCommand : DbCommandInterceptor
{
    public string? Sql { get; private set; }
    public IReadOnlyList<NpgsqlParameter> Parameters { get; private set; } = [];

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Sql = command.CommandText;
        Parameters = [.. command.Parameters.Cast<NpgsqlParameter>().Select(p => p.Clone())];
        return ValueTask.FromResult(result);
    }
}
