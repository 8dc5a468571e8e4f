using System.Diagnostics;
using JobPlatform.Testing;
using Npgsql;

namespace JobPlatform.Benchmarks.Chaos;

/// <summary>
/// One chaos run on a throwaway PostgreSQL cluster of its own (it restarts it): worker processes, a paced
/// enqueue of mixed jobs, and meanwhile a SIGKILL every few seconds, one SIGSTOP past the lease and one
/// crash-like restart of PostgreSQL; then the checks of <see cref="ChaosVerifier"/>.
/// </summary>
public sealed class ChaosRun(ChaosOptions options, TextWriter log)
{
    public async Task<ChaosReport> RunAsync(string postgresBinaries, CancellationToken cancellationToken)
    {
        // Durable (fsync, synchronous commit): the restart is a crash, which must not lose an acknowledged commit.
        await using var cluster = await LocalPostgresCluster.StartAsync(postgresBinaries, cancellationToken, durable: true);
        var connectionString = await CreateDatabaseAsync(cluster.AdminConnectionString);
        var db = new ChaosDatabase(connectionString);
        await using var client = await EngineHost.StartClientAsync(connectionString); // creates the schema
        await db.ScalarAsync(FencedEffects.Schema);

        // Disposed on every way out, so that a failed run leaves no worker process behind.
        await using var pool = new WorkerPool(() => ChaosWorker.Start(connectionString, options.Lease));
        pool.StartWorkers(options.Workers);
        await WaitForAsync(async () => await db.ScalarAsync("SELECT count(*) FROM jobplatform.job_types WHERE name = $1", ChaosJob.Name) == 1,
            TimeSpan.FromSeconds(60), "the workers to register the chaos job type");
        log.WriteLine($"chaos: {options.Jobs:N0} jobs over {options.EnqueueFor.TotalSeconds:N0} s, {options.Workers} workers, a kill every {options.KillEvery.TotalSeconds:N0} s");

        var clock = Stopwatch.StartNew();
        var enqueuer = new ChaosEnqueuer(call => client.WithClientAsync(async c => { await call(c); return 0; }), options);
        using var stopKilling = new CancellationTokenSource();
        var enqueue = enqueuer.RunAsync(cancellationToken);
        var kills = KillRepeatedlyAsync(pool, stopKilling.Token);
        long held;
        (TimeSpan Down, TimeSpan? Resumed, long LogLines) outage;
        bool ended;
        TimeSpan duration;
        try
        {
            var pause = PauseOnceAsync(pool, db, cancellationToken);
            var restart = RestartOnceAsync(cluster, db, pool, cancellationToken);
            await enqueue;
            log.WriteLine($"chaos: {enqueuer.Accepted.Count:N0} jobs accepted after {clock.Elapsed.TotalSeconds:N1} s");
            (held, outage) = (await pause, await restart);
            ended = await WaitForAsync(async () => await db.UnfinishedAsync() == 0, options.Timeout - clock.Elapsed, null);
            duration = clock.Elapsed;
        }
        finally
        {
            await stopKilling.CancelAsync();
            await kills;
        }
        await pool.DisposeAsync(); // the survivors stop gracefully before the checks
        NpgsqlConnection.ClearAllPools();

        var failures = await ChaosVerifier.VerifyAsync(db, enqueuer.Accepted);
        failures.AddRange(pool.ExitedOnTheirOwn);
        if (cluster.DeadlocksLogged > 0)
            failures.Add($"{cluster.DeadlocksLogged} deadlocks (40P01) in PostgreSQL's log:{Environment.NewLine}{string.Join(Environment.NewLine, cluster.DeadlockReports())}");
        if (!ended) failures.Insert(0, $"the jobs had not all ended after {options.Timeout.TotalSeconds:N0} s; last worker log lines:{Environment.NewLine}    " +
            string.Join(Environment.NewLine + "    ", pool.RecentLog));
        return new ChaosReport
        {
            JobsAccepted = enqueuer.Accepted.Count,
            JobsStored = await db.ScalarAsync("SELECT count(*) FROM jobplatform.jobs"),
            FinalStates = await db.CountsAsync("SELECT state, count(*) FROM jobplatform.jobs GROUP BY state"),
            AttemptOutcomes = await db.CountsAsync("SELECT outcome, count(*) FROM jobplatform.job_attempts GROUP BY outcome"),
            Kills = pool.Kills,
            WorkersStarted = pool.Started,
            Pauses = 1,
            JobsHeldByPausedWorker = held,
            DatabaseRestarts = 1,
            DatabaseDown = outage.Down,
            ResumedAfterRestart = outage.Resumed,
            LogLinesDuringOutage = outage.LogLines,
            LogLines = pool.LogLines,
            FailedEnqueueCalls = enqueuer.FailedCalls,
            SplitUniquePairs = enqueuer.SplitUniquePairs,
            FencedWritesRefused = await db.ScalarAsync("SELECT count(*) FROM chaos.refused"),
            EffectsOfUnfinishedAttempts = await db.ScalarAsync(
                "SELECT count(*) FROM chaos.effects e JOIN jobplatform.jobs j ON j.id = e.job_id WHERE e.token <> j.fencing_token"),
            Duration = duration,
            DeadlocksLogged = cluster.DeadlocksLogged,
            Failures = failures,
        };
    }

    private async Task KillRepeatedlyAsync(WorkerPool pool, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.KillEvery, stop);
                await pool.KillOneAsync();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>SIGSTOP to one worker for twice the lease, then SIGCONT; returns how many jobs it held.</summary>
    private async Task<long> PauseOnceAsync(WorkerPool pool, ChaosDatabase db, CancellationToken cancellationToken)
    {
        await Task.Delay(options.EnqueueFor * 0.3, cancellationToken);
        // The worker holding the most claimed jobs, so that the pause catches some. Its jobs are short, so it may
        // have finished them all by the time the signal lands: then it is let go and the pause is tried again.
        Process victim;
        long held;
        for (var tries = 1; ; tries++)
        {
            var claims = await db.CountsAsync(
                "SELECT lease_owner, count(*) FROM jobplatform.jobs WHERE state = 'processing' GROUP BY lease_owner");
            var busiest = claims.OrderByDescending(h => h.Value).Select(h => h.Key).FirstOrDefault();
            victim = pool.Spare(p => WorkerPool.ServerName(p) == busiest);
            await WorkerPool.SignalAsync(victim, "STOP");
            held = await db.ScalarAsync("SELECT count(*) FROM jobplatform.jobs WHERE state = 'processing' AND lease_owner = $1", WorkerPool.ServerName(victim));
            if (held > 0 || tries == 50) break;
            await WorkerPool.SignalAsync(victim, "CONT");
            pool.Unspare();
            await Task.Delay(100, cancellationToken);
        }
        log.WriteLine($"chaos: paused worker {victim.Id} holding {held} jobs");
        await Task.Delay(options.Lease * 2 + TimeSpan.FromSeconds(1), cancellationToken);
        await WorkerPool.SignalAsync(victim, "CONT");
        pool.Unspare();
        return held;
    }

    /// <summary>
    /// Stops PostgreSQL the way a crash does (immediate shutdown), starts it again, and returns how long it was
    /// down, how long after its return jobs finished again, and how many lines the workers logged meanwhile.
    /// </summary>
    private async Task<(TimeSpan Down, TimeSpan? Resumed, long LogLines)> RestartOnceAsync(
        LocalPostgresCluster cluster, ChaosDatabase db, WorkerPool pool, CancellationToken cancellationToken)
    {
        await Task.Delay(options.EnqueueFor * 0.6, cancellationToken);
        var linesBefore = pool.LogLines;
        var down = Stopwatch.StartNew();
        await cluster.StopAsync(immediate: true, cancellationToken);
        log.WriteLine("chaos: PostgreSQL stopped (immediate)");
        await Task.Delay(options.DatabaseDownFor, cancellationToken);
        await cluster.StartAgainAsync(cancellationToken);
        var downFor = down.Elapsed;
        var back = Stopwatch.StartNew();
        log.WriteLine($"chaos: PostgreSQL back after {downFor.TotalSeconds:N1} s");

        var finishedAtReturn = await db.FinishedAsync();
        TimeSpan? resumed = null;
        if (await WaitForAsync(async () => await db.FinishedAsync() > finishedAtReturn, TimeSpan.FromSeconds(60), null)) resumed = back.Elapsed;
        return (downFor, resumed, pool.LogLines - linesBefore);
    }

    private static async Task<string> CreateDatabaseAsync(string adminConnectionString)
    {
        await using (var connection = new NpgsqlConnection(adminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE DATABASE chaos", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = "chaos", Pooling = true, MaxPoolSize = 40 }.ConnectionString;
    }

    /// <summary>Polls until the condition holds; false at the timeout, or an exception naming <paramref name="what"/> when given.</summary>
    internal static async Task<bool> WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string? what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > timeout)
                return what is null ? false : throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(250);
        }
        return true;
    }
}
