using Npgsql;

namespace JobPlatform.Benchmarks.Chaos;

/// <summary>
/// The "outside system" the chaos jobs change: a table of effects guarded by a fence. A write carries the
/// attempt's fencing token and is applied only when no higher token has written for that job, as a storage
/// service that honours fencing tokens would do, so a worker that wakes up after its lease was taken over
/// cannot apply a stale effect. Refused writes are kept too, to be counted.
/// </summary>
public static class FencedEffects
{
    public const string Schema = """
        CREATE SCHEMA IF NOT EXISTS chaos;
        CREATE TABLE IF NOT EXISTS chaos.fence (job_id uuid PRIMARY KEY, token bigint NOT NULL);
        CREATE TABLE IF NOT EXISTS chaos.effects (job_id uuid NOT NULL, token bigint NOT NULL, attempt int NOT NULL, pid int NOT NULL);
        CREATE INDEX IF NOT EXISTS effects_job ON chaos.effects (job_id, token); -- not unique: a doubled effect must show
        CREATE TABLE IF NOT EXISTS chaos.refused (job_id uuid NOT NULL, token bigint NOT NULL, pid int NOT NULL);
        """;

    /// <summary>Applies the effect; false when a higher token already wrote (the write was refused).</summary>
    public static async Task<bool> ApplyAsync(NpgsqlDataSource dataSource, Guid jobId, long token, int attempt, CancellationToken cancellationToken)
    {
        // Equal tokens pass the fence on purpose: the same claim applied twice would show as a duplicate effect.
        await using var command = dataSource.CreateCommand("""
            WITH fence AS (
                INSERT INTO chaos.fence AS f (job_id, token) VALUES ($1, $2)
                ON CONFLICT (job_id) DO UPDATE SET token = EXCLUDED.token WHERE f.token <= EXCLUDED.token
                RETURNING 1),
            applied AS (
                INSERT INTO chaos.effects (job_id, token, attempt, pid) SELECT $1, $2, $3, $4 FROM fence RETURNING 1),
            refused AS (
                INSERT INTO chaos.refused (job_id, token, pid) SELECT $1, $2, $4 WHERE NOT EXISTS (SELECT 1 FROM fence))
            SELECT count(*) FROM applied
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = jobId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = token });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = attempt });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Environment.ProcessId });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! == 1;
    }
}
