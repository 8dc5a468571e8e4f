using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using JobPlatform.Benchmarks.Chaos;
using JobPlatform.Jobs.Client;
using JobPlatform.Testing;
using Npgsql;

namespace JobPlatform.Benchmarks.Explore;

/// <summary>
/// One seed: a fresh database on the shared cluster, worker processes each behind a relay that can go silent, the
/// seed's schedule of operations and faults, then everything healed, the work drained and the invariants checked.
/// Seeds may run at once (<see cref="ExploreOptions.Parallel"/>): <paramref name="restarts"/> lets one restart the
/// cluster at a time, and whatever the harness itself does with the database waits out the others' restarts.
/// </summary>
internal sealed class ExploreSeed(LocalPostgresCluster cluster, int seed, ExploreOptions options, SemaphoreSlim restarts, TextWriter log)
{
    private readonly ExploreLedger _ledger = new();
    private readonly Random _random = new(seed * 31 + 7);

    /// <summary>The faults this seed injected, by kind.</summary>
    public IEnumerable<string> Faults => _ledger.Faults;

    public async Task<IReadOnlyList<string>> RunAsync(CancellationToken cancellationToken)
    {
        var db = await CreateDatabaseAsync(cluster.AdminConnectionString, seed);
        await using var client = await EngineHost.StartClientAsync(db);
        var data = new ChaosDatabase(db);
        await data.ScalarAsync(FencedEffects.Schema + ExploreJob.Schema + "SELECT 1");
        var deadlocksBefore = cluster.DeadlocksLogged;
        var (skewed, skew) = ExploreSchedule.Skew(seed, options.Workers);

        var direct = new NpgsqlConnectionStringBuilder(db);
        var slots = new List<WorkerSlot>();
        try
        {
            for (var i = 1; i <= options.Workers; i++)
            {
                var proxy = new PartitionProxy(direct.Host!, direct.Port);
                var through = new NpgsqlConnectionStringBuilder(db) { Host = "127.0.0.1", Port = proxy.Port, MaxPoolSize = 30 }.ConnectionString;
                slots.Add(new WorkerSlot(i, proxy, through, options.Lease, i == skewed ? skew : 0));
            }
            await ChaosRun.WaitForAsync(async () => await data.ScalarAsync("SELECT count(*) FROM jobplatform.job_types") >= 3,
                TimeSpan.FromSeconds(60), "the workers' job types");

            var clock = Stopwatch.StartNew();
            var running = new List<Task>();
            foreach (var step in ExploreSchedule.For(seed, options.Length, options.Workers))
            {
                var wait = TimeSpan.FromMilliseconds(step.AtMs) - clock.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
                running.Add(ApplyAsync(step, client, db, slots));
            }
            await Task.WhenAll(running);

            // Heal: every worker running and reachable, the queue open, the schedule stopped (it would keep adding
            // jobs); then the work drains.
            foreach (var slot in slots) await slot.HealAsync();
            await ChaosDatabase.DespiteOutagesAsync(() => client.WithClientAsync(async c => { await c.ResumeQueueAsync("default"); return 0; }));
            var schedulerBack = await SchedulerFiresAgainAsync(data);
            await ChaosDatabase.DespiteOutagesAsync(() => client.WithClientAsync(c => c.PauseScheduleAsync(ExploreWorker.Schedule)));
            var drained = await ChaosRun.WaitForAsync(async () => await data.ScalarAsync(
                "SELECT count(*) FROM jobplatform.jobs WHERE state NOT IN ('succeeded', 'failed', 'cancelled')") == 0, options.DrainTimeout, null);
            await Task.Delay(options.Lease); // late stop logs, a schedule tick in flight

            var failures = new List<string>();
            if (!drained) failures.Add($"jobs still unfinished {options.DrainTimeout.TotalSeconds} s after the faults healed");
            if (!schedulerBack)
                failures.Add($"the schedule fired nothing in the {SchedulerRecovery.TotalSeconds} s after the faults healed; {await ExploreVerifier.SchedulerStateAsync(data)}");
            foreach (var stall in slots.SelectMany(s => s.Stalls)) _ledger.Stalled.Add(stall);
            failures.AddRange(await ExploreVerifier.VerifyAsync(data, _ledger, options.Lease));
            // The log is the cluster's: with seeds in parallel, a deadlock may be the other seed's statements (its report names them).
            if (cluster.DeadlocksLogged - deadlocksBefore is > 0 and var deadlocks)
                failures.Add($"{deadlocks} deadlocks (40P01) in PostgreSQL's log:{Environment.NewLine}      " +
                             string.Join($"{Environment.NewLine}      ", cluster.DeadlockReports(deadlocksBefore)));
            failures.AddRange(slots.SelectMany(s => s.ExitedOnItsOwn));
            if (failures.Count > 0)
                failures.AddRange(slots.Select(s => $"worker {s.Number}'s last lines:{Environment.NewLine}      {s.LastLines()}"));
            foreach (var job in _ledger.Overlapping)
                failures.Add($"what the workers logged about job {job}:{Environment.NewLine}      " + string.Join($"{Environment.NewLine}      ",
                    slots.SelectMany(s => s.EntriesNaming(job.ToString()).Select(e => $"worker {s.Number}: {e}"))));
            log.WriteLine($"seed {seed}: {_ledger.Accepted.Count} jobs accepted, faults {string.Join(", ", _ledger.Faults)}, " +
                          $"worker {skewed}'s clock {skew:+0;-0} s, {Stalls()}{clock.Elapsed.TotalSeconds:N1} s: {(failures.Count == 0 ? "ok" : "FAILED")}");
            foreach (var excused in _ledger.Excused) log.WriteLine($"  excused by a pause: {excused}");
            return failures;
        }
        finally
        {
            foreach (var slot in slots) await slot.DisposeAsync();
            // Idle connections to this seed's database would pile up over many seeds; the other seeds' running
            // connections are only closed when they are returned, so clearing every pool costs them nothing.
            NpgsqlConnection.ClearAllPools();
        }
    }

    private async Task ApplyAsync(ExploreStep step, EngineHost client, string db, List<WorkerSlot> slots)
    {
        var slot = slots[(step.Target - 1) % slots.Count];
        switch (step.Action)
        {
            case "kill":
                _ledger.Faults.Add("kill");
                await slot.KillAsync();
                break;
            case "stop":
                _ledger.Faults.Add("stop");
                await slot.FreezeAsync(TimeSpan.FromMilliseconds(step.Length), _ledger);
                break;
            case "term":
                _ledger.Faults.Add("graceful stop");
                await slot.RestartGracefullyAsync();
                break;
            case "partition":
                _ledger.Faults.Add("partition");
                await slot.PartitionAsync(TimeSpan.FromMilliseconds(step.Length));
                break;
            case "restart-db":
                _ledger.Faults.Add("PostgreSQL restart");
                await restarts.WaitAsync();
                try
                {
                    await cluster.StopAsync(immediate: true, CancellationToken.None);
                    await Task.Delay(TimeSpan.FromMilliseconds(step.Length / 2));
                    await cluster.StartAgainAsync(CancellationToken.None);
                }
                finally
                {
                    restarts.Release();
                }
                break;
            default:
                await OperateAsync(step, client, db);
                break;
        }
    }

    private string Payload(int maxWorkMs, int failAttempts = 0) =>
        JsonSerializer.Serialize(new ExplorePayload(_random.Next(1, maxWorkMs), failAttempts), JsonSerializerOptions.Web);

    private async Task OperateAsync(ExploreStep step, EngineHost client, string db)
    {
        var target = _ledger.Pick(step.Target);
        var payload = Payload(300, step.Target % 7 == 0 ? 1 : 0);
        switch (step.Action)
        {
            case "single":
                await EnqueueAsync("single", c => c.EnqueueAsync(ExploreJob.Work, payload));
                break;
            case "limited":
                await EnqueueAsync("limited", c => c.EnqueueAsync(ExploreJob.Limited, Payload(400)));
                break;
            case "delayed":
                await EnqueueAsync("delayed", c => c.EnqueueAsync(ExploreJob.Work, payload, new EnqueueOptions { Delay = TimeSpan.FromMilliseconds(step.Length * 100) }));
                break;
            case "unique":
                await EnqueueAsync("unique", c => c.EnqueueAsync(ExploreJob.Work, payload, new EnqueueOptions { UniqueKey = $"key-{step.Target % 4}" }));
                break;
            case "continuation" when target is { } parent:
                var condition = (ContinuationCondition)(step.Target % 3);
                await EnqueueAsync($"continuation:{parent}:{condition}", c => c.EnqueueAsync(ExploreJob.Callback, payload,
                    new EnqueueOptions { ContinueAfter = parent, ContinueOn = condition }));
                break;
            case "bulk":
                await Safe(async () =>
                {
                    var ids = await client.WithClientAsync(c => c.EnqueueManyAsync(ExploreJob.Work, Enumerable.Range(0, step.Length).Select(_ => Payload(100))));
                    foreach (var id in ids) _ledger.Accept(id, "bulk");
                });
                break;
            case "batch":
                await Safe(async () =>
                {
                    var result = await client.WithClientAsync(c => c.EnqueueBatchAsync(
                        Enumerable.Range(0, step.Length).Select(_ => new BatchJob(ExploreJob.Work, Payload(100))), new BatchCallback(ExploreJob.Callback, Payload(10))));
                    _ledger.Batches.Add(result.BatchId);
                    foreach (var id in result.JobIds) _ledger.Accept(id, "batch");
                });
                break;
            case "transactional":
                await TransactionalAsync(client, db, payload, commit: step.Target % 3 != 0);
                break;
            case "cancel" when target is { } id:
                await Touch(id, async () => await client.WithClientAsync(c => c.CancelAsync(id)));
                break;
            case "retry" when target is { } id:
                await Touch(id, async () => await client.WithClientAsync(c => c.RetryAsync(id)));
                break;
            case "delete" when target is { } id:
                await Touch(id, async () =>
                {
                    if (await client.WithClientAsync(c => c.DeleteAsync(id)) == DeleteOutcome.Deleted) _ledger.Deleted[id] = true;
                }, deleting: true);
                break;
            case "pause-queue":
                await Safe(() => client.WithClientAsync(async c => { await c.PauseQueueAsync("default"); return 0; }));
                await Task.Delay(TimeSpan.FromMilliseconds(step.Length * 40));
                await Safe(() => client.WithClientAsync(async c => { await c.ResumeQueueAsync("default"); return 0; }));
                break;
        }

        async Task EnqueueAsync(string kind, Func<IJobClient, Task<EnqueueResult>> enqueue) =>
            await Safe(async () => _ledger.Accept((await client.WithClientAsync(enqueue)).Id, kind));
    }

    private async Task TransactionalAsync(EngineHost client, string db, string payload, bool commit)
    {
        Guid? id = null;
        try
        {
            await using var connection = new NpgsqlConnection(db);
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            id = (await client.WithClientAsync(c => c.EnqueueAsync(transaction, ExploreJob.Work, payload))).Id;
            if (commit) await transaction.CommitAsync();
            else await transaction.RollbackAsync();
            if (commit) _ledger.Accept(id.Value, "transactional");
            else _ledger.RolledBack[id.Value] = true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            if (id is { } maybe) _ledger.Uncertain[maybe] = true; // the commit may or may not have gone through
            Interlocked.Increment(ref _ledger.RejectedOperations);
        }
    }

    private async Task Touch(Guid id, Func<Task> action, bool deleting = false)
    {
        _ledger.Touched[id] = true;
        try
        {
            await action();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            if (deleting) _ledger.Uncertain[id] = true;
            Interlocked.Increment(ref _ledger.RejectedOperations);
        }
    }

    /// <summary>A client call the database's outage may refuse (an error, never a wrong answer): counted, not fatal.</summary>
    private async Task Safe(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or System.Data.Common.DbException)
        {
            Interlocked.Increment(ref _ledger.RejectedOperations);
        }
    }

    /// <summary>The workers' stalls, when there were any, for the seed's line: how often the machine itself paused them.</summary>
    private string Stalls()
    {
        var stalls = _ledger.Stalled.ToList();
        var falls = _ledger.ExcusedFalls > 0 ? $"{_ledger.ExcusedFalls} runs started late after a pause, " : "";
        if (stalls.Count == 0) return falls;
        var longest = stalls.Max(s => s.To - s.From).TotalMilliseconds;
        var excused = _ledger.ExcusedOverlaps > 0 ? $", {_ledger.ExcusedOverlaps} overlapping runs they explain" : "";
        return $"{stalls.Count} stalls (longest {longest:N0} ms{excused}), {falls}";
    }

    /// <summary>How long a healed cluster may take to fire the schedule again: a dead leader's lease to run out, a new worker to start.</summary>
    private static readonly TimeSpan SchedulerRecovery = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Waits for the scheduler to fire an occurrence due after the heal. A fault can leave the schedule without a
    /// leader for a while (the leader killed or stopped, its successor starting during a restart); the new leader
    /// catches up on the occurrences missed meanwhile in the same round (they are within the misfire threshold), so
    /// once an occurrence due after the heal has fired, every one before it has too. Waiting for that, rather than
    /// pausing the schedule at once, lets the verifier hold every second between the first and the last occurrence
    /// to "fired once", and tells a leader that never came back from a gap it would have filled.
    /// </summary>
    private static async Task<bool> SchedulerFiresAgainAsync(ChaosDatabase data)
    {
        var healedAt = await data.ScalarAsync("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint");
        return await ChaosRun.WaitForAsync(async () => await data.ScalarAsync("""
            SELECT count(*) FROM jobplatform.schedules WHERE name = $1 AND last_occurrence_at > to_timestamp($2 / 1000000.0)
            """, ExploreWorker.Schedule, healedAt) > 0, SchedulerRecovery, null);
    }

    private static async Task<string> CreateDatabaseAsync(string admin, int seed)
    {
        var name = $"explore_{seed}_{Guid.NewGuid():N}"[..40];
        await ChaosDatabase.DespiteOutagesAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            return await command.ExecuteNonQueryAsync();
        });
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true, MaxPoolSize = 30 }.ConnectionString;
    }

    /// <summary>Arguments for an explore worker process.</summary>
    public static string[] WorkerArguments(string connectionString, TimeSpan lease, int skewSeconds) =>
        ["explore-worker", connectionString, lease.TotalSeconds.ToString(CultureInfo.InvariantCulture), skewSeconds.ToString(CultureInfo.InvariantCulture)];
}
