using JobPlatform.Jobs.Handlers;
using Npgsql;

namespace JobPlatform.Benchmarks.Explore;

/// <summary>What an explore job does: works this long, fails its first attempts, and is one of the kinds the checks know.</summary>
public sealed record ExplorePayload(int WorkMs, int FailAttempts = 0);

/// <summary>
/// The explorer's handler, for every explore job type: logs its run (start, and stop — when it returned or was told to
/// stop, whichever came first — by this machine's clock, which is the database's: one host) to <c>explore.runs</c>,
/// works, fails where told, and as its last step applies its effect through the chaos fence with its claim's token.
/// </summary>
public sealed class ExploreJob(NpgsqlDataSource dataSource) : IJob<ExplorePayload>
{
    public const string Work = "explore.work", Limited = "explore.limited", Callback = "explore.callback";

    /// <summary>The concurrency limit of <see cref="Limited"/>, cluster-wide.</summary>
    public const int Limit = 2;

    public const string Schema = """
        CREATE SCHEMA IF NOT EXISTS explore;
        CREATE TABLE IF NOT EXISTS explore.runs (
            job_id uuid NOT NULL, token bigint NOT NULL, type text NOT NULL, pid int NOT NULL,
            started_at timestamptz NOT NULL, stopped_at timestamptz, PRIMARY KEY (job_id, token));
        """;

    public async Task ExecuteAsync(ExplorePayload payload, JobContext context, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        // When the engine told the run to stop: the engine's promise is to do so before another server can take the
        // job. A run blocked on a database it cannot reach (a partition) notices only later, and its writes are fenced.
        var told = DateTimeOffset.MaxValue;
        await using var whenTold = cancellationToken.Register(() => told = DateTimeOffset.UtcNow);
        // Logged before any work: a run the log does not know of has done nothing.
        await LogAsync("INSERT INTO explore.runs (job_id, token, type, pid, started_at) VALUES ($1, $2, $3, $4, $5)",
            context, started, cancellationToken);
        try
        {
            await Task.Delay(payload.WorkMs, cancellationToken);
            if (context.Attempt <= payload.FailAttempts)
                throw new InvalidOperationException($"explore job fails attempt {context.Attempt} on purpose");
            if (!await Chaos.FencedEffects.ApplyAsync(dataSource, context.JobId, context.FencingToken, context.Attempt, cancellationToken))
                throw new InvalidOperationException($"the fence refused token {context.FencingToken}");
        }
        finally
        {
            var stopped = DateTimeOffset.UtcNow < told ? DateTimeOffset.UtcNow : told;
            // The stop is when the handler stopped or was told to, not when the log got through (the database may be away).
            _ = Task.Run(() => LogStopAsync(context, stopped), CancellationToken.None);
        }
    }

    private async Task LogStopAsync(JobContext context, DateTimeOffset stopped)
    {
        for (var tries = 0; tries < 120; tries++)
        {
            try
            {
                await LogAsync("UPDATE explore.runs SET stopped_at = $5 WHERE job_id = $1 AND token = $2 AND $3::text IS NOT NULL AND $4::int IS NOT NULL",
                    context, stopped, CancellationToken.None);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                await Task.Delay(500);
            }
        }
    }

    private async Task LogAsync(string sql, JobContext context, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = context.JobId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = context.FencingToken });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = context.Type });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Environment.ProcessId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
