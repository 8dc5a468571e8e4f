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
            started_at timestamptz NOT NULL, stopped_at timestamptz, told_at timestamptz, ended_at timestamptz,
            PRIMARY KEY (job_id, token));
        """;

    public async Task ExecuteAsync(ExplorePayload payload, JobContext context, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        // When the engine told the run to stop: the engine's promise is to do so before another server can take the
        // job. A run blocked on a database it cannot reach (a partition) notices only later, and its writes are fenced.
        // Told by a callback, and by a poll of the token: callbacks run last registered first, so this one runs after
        // those Npgsql registers for each command, and one of them blocking would make the engine's stop look late
        // (explorer seed 1 on 4bb4933: the engine stopped the run 0.7 s before another server took the job; the
        // callback ran 5.8 s later, when the partition healed).
        var toldTicks = long.MaxValue;
        void Told()
        {
            var now = DateTimeOffset.UtcNow.UtcTicks;
            for (var seen = Interlocked.Read(ref toldTicks); now < seen; seen = Interlocked.Read(ref toldTicks))
                if (Interlocked.CompareExchange(ref toldTicks, now, seen) == seen) break;
        }
        await using var whenTold = cancellationToken.Register(Told);
        using var ended = new CancellationTokenSource();
        var poll = PollAsync(cancellationToken, Told, ended.Token);
        try
        {
            // Logged before any work, and again with its stop: this start may reach the database only after that, or never.
            await LogAsync("INSERT INTO explore.runs (job_id, token, type, pid, started_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                context, started, cancellationToken);
            await Task.Delay(payload.WorkMs, cancellationToken);
            if (context.Attempt <= payload.FailAttempts)
                throw new InvalidOperationException($"explore job fails attempt {context.Attempt} on purpose");
            if (!await Chaos.FencedEffects.ApplyAsync(dataSource, context.JobId, context.FencingToken, context.Attempt, cancellationToken))
                throw new InvalidOperationException($"the fence refused token {context.FencingToken}");
        }
        finally
        {
            var endedAt = DateTimeOffset.UtcNow;
            await ended.CancelAsync();
            await poll;
            var toldAt = Interlocked.Read(ref toldTicks) is var ticks && ticks == long.MaxValue ? (DateTimeOffset?)null : new DateTimeOffset(ticks, TimeSpan.Zero);
            // The stop is when the handler stopped or was told to, not when the log got through (the database may be away).
            _ = Task.Run(() => LogStopAsync(context, started, (toldAt < endedAt ? toldAt.Value : endedAt, toldAt, endedAt)), CancellationToken.None);
        }
    }

    /// <summary>Notes the token's cancellation within 10 ms, whatever its callbacks do, until the run has ended.</summary>
    private static async Task PollAsync(CancellationToken token, Action told, CancellationToken ended)
    {
        try
        {
            while (!token.IsCancellationRequested) await Task.Delay(10, ended);
            told();
        }
        catch (OperationCanceledException)
        {
            // The run ended first.
        }
    }

    /// <summary>
    /// Logs the stop (the start too, where it never got through): besides the stop the checks use, when the engine
    /// cancelled the run, if it did, and when the handler ended, so a report tells a late cancellation from a handler
    /// that took long to notice one.
    /// </summary>
    private async Task LogStopAsync(JobContext context, DateTimeOffset started, (DateTimeOffset Stopped, DateTimeOffset? Told, DateTimeOffset Ended) stop)
    {
        for (var tries = 0; tries < 120; tries++)
        {
            try
            {
                await LogAsync("""
                    INSERT INTO explore.runs (job_id, token, type, pid, started_at, stopped_at, told_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    ON CONFLICT (job_id, token) DO UPDATE SET stopped_at = $6, told_at = $7, ended_at = $8
                    """, context, started, CancellationToken.None, stop);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                await Task.Delay(500);
            }
        }
    }

    private async Task LogAsync(string sql, JobContext context, DateTimeOffset started, CancellationToken cancellationToken,
        (DateTimeOffset Stopped, DateTimeOffset? Told, DateTimeOffset Ended)? stop = null)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = context.JobId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = context.FencingToken });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = context.Type });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Environment.ProcessId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = started });
        if (stop is { } s)
        {
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = s.Stopped });
            command.Parameters.Add(new NpgsqlParameter { Value = s.Told is { } told ? told : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = s.Ended });
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
