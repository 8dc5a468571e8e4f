using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace JobPlatform.Testing;

/// <summary>
/// Runs the engine's own statements under EXPLAIN (ANALYZE, BUFFERS) as prepared statements, with the plan the test
/// asks for (plan_cache_mode: custom, made for the values; or generic, as a prepared statement gets after five runs),
/// and reads what each scan of the plan touched.
/// </summary>
public static partial class QueryPlans
{
    /// <summary>One scan node of a plan: its kind, table, index, and the shared blocks it touched.</summary>
    public sealed record Scan(string Node, string? Relation, string? Index, long Blocks);

    /// <summary>
    /// Prepares <paramref name="sql"/> (its @names become $1, $2 … typed from <paramref name="values"/>, a name mapped
    /// to its type and SQL literal) and runs it under EXPLAIN (ANALYZE, BUFFERS) in <paramref name="format"/> (JSON or
    /// TEXT); returns the plan.
    /// </summary>
    public static async Task<string> ExplainAsync(
        NpgsqlConnection connection, string name, string sql, IReadOnlyDictionary<string, (string Type, string Value)> values, string format = "JSON")
    {
        var used = new List<string>();
        var positional = ParameterName().Replace(sql, m =>
        {
            if (!used.Contains(m.Groups[1].Value)) used.Add(m.Groups[1].Value);
            return "$" + (used.IndexOf(m.Groups[1].Value) + 1);
        });
        await using (var prepare = new NpgsqlCommand($"PREPARE {name}{(used.Count == 0 ? "" : $"({string.Join(", ", used.Select(u => values[u].Type))})")} AS {positional}", connection))
            await prepare.ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand(
            $"EXPLAIN (ANALYZE, BUFFERS, FORMAT {format}) EXECUTE {name}{(used.Count == 0 ? "" : $"({string.Join(", ", used.Select(u => values[u].Value))})")}",
            connection);
        return await PlanAsync(command, format);
    }

    /// <summary>
    /// Runs the statement EF Core last sent through <paramref name="captured"/>, with its parameters, under EXPLAIN
    /// (ANALYZE, BUFFERS) in <paramref name="format"/> (JSON or TEXT); returns the plan.
    /// </summary>
    public static async Task<string> ExplainAsync(NpgsqlConnection connection, CapturedCommand captured, string format = "JSON")
    {
        await using var command = new NpgsqlCommand($"EXPLAIN (ANALYZE, BUFFERS, FORMAT {format}) {captured.Sql}", connection);
        foreach (var parameter in captured.Parameters) command.Parameters.Add(parameter.Clone());
        return await PlanAsync(command, format);
    }

    private static async Task<string> PlanAsync(NpgsqlCommand explain, string format)
    {
        if (format == "JSON") return (string)(await explain.ExecuteScalarAsync())!;
        await using var reader = await explain.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return string.Join('\n', lines);
    }

    /// <summary>Every scan node of a JSON plan.</summary>
    public static IReadOnlyList<Scan> Scans(string plan)
    {
        var stack = new Stack<JsonElement>();
        using var document = JsonDocument.Parse(plan);
        stack.Push(document.RootElement[0].GetProperty("Plan"));
        var scans = new List<Scan>();
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            var type = node.GetProperty("Node Type").GetString()!;
            if (type.Contains("Scan"))
                scans.Add(new Scan(type,
                    node.TryGetProperty("Relation Name", out var r) ? r.GetString() : null,
                    node.TryGetProperty("Index Name", out var i) ? i.GetString() : null,
                    node.GetProperty("Shared Hit Blocks").GetInt64() + node.GetProperty("Shared Read Blocks").GetInt64()));
            if (node.TryGetProperty("Plans", out var children))
                foreach (var child in children.EnumerateArray()) stack.Push(child);
        }
        return scans;
    }

    /// <summary>Inserts <paramref name="count"/> jobs of one type and state on queue default, due or finished at <paramref name="at"/> plus i ms.</summary>
    public static string InsertJobs(string type, string state, int priority, string at, int count, string? text = null) => $$"""
        INSERT INTO jobplatform.jobs (id, type, queue, state, priority, payload, attempt, max_attempts, max_rescues, run_at, created_at,
                                      fencing_token, lease_owner, lease_expires_at, finished_at)
        SELECT gen_random_uuid(), '{{type}}', 'default', '{{state}}', {{priority}}, '{"text": "{{text ?? type}}"}', 0, 1, 3,
               {{at}} + i * interval '1 ms', now() - interval '1 day', 0,
               {{(state == "processing" ? "'elsewhere', now() + interval '1 hour'" : "NULL, NULL")}},
               {{(state is "succeeded" or "failed" or "cancelled" ? $"{at} + i * interval '1 ms'" : "NULL")}}
        FROM generate_series(1, {{count}}) i;
        """;

    /// <summary>
    /// SQL for a version 7 UUID as the engine mints them: the Unix milliseconds of <paramref name="time"/> (a timestamptz
    /// expression), then bits from <paramref name="hex"/> (an expression of at least 18 hex digits, such as an md5).
    /// </summary>
    public static string V7Id(string time, string hex) =>
        $"(lpad(to_hex(floor(extract(epoch FROM {time}) * 1000)::bigint), 12, '0') || '7' || substr({hex}, 1, 3) || '8' || substr({hex}, 4, 15))::uuid";

    /// <summary>Index blocks one scan may touch when it reads only what it needs: a root, an inner page or two and a leaf or two, with room to spare.</summary>
    public const int BlocksPerScan = 12;

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>The first column of every row, as text.</summary>
    public static async Task<List<string>> StringsAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }

    [GeneratedRegex("@([a-z_]+)")]
    private static partial Regex ParameterName();
}
