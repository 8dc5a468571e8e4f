using JobPlatform.Jobs.Client;

namespace JobPlatform.Benchmarks.Scale;

public static partial class ScaleCommand
{
    /// <summary>
    /// Realistic work: 100 ms I/O-shaped jobs, 5 ms CPU-bound jobs, and 100 ms jobs of which 1 % take 5 s. For each:
    /// the throughput of a backlog's drain (after a twentieth is done, over the window), then the queue wait p50 and
    /// p99 under single enqueues at 70 % of that throughput for the load's duration.
    /// </summary>
    private static async Task WorkAsync(BenchServer server, TimeSpan window, TimeSpan load)
    {
        Console.WriteLine("| work | concurrency | throughput (backlog) | load | queue wait p50 | p99 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (type, concurrency, backlog) in new[] { (ScaleHost.Io, 200, 40_000), (ScaleHost.Cpu, 4, 8_000), (ScaleHost.Mixed, 200, 40_000) })
        {
            double rate;
            await using (var run = await Run.StartAsync(server, $"scale_{type.Replace('-', '_')}", o => o.Concurrency = concurrency))
            {
                await run.FillAsync(type, backlog);
                rate = await RateAsync(backlog / 20, window, stopAt: backlog * 9 / 10);
            }
            await using (var run = await Run.StartAsync(server, $"scale_{type.Replace('-', '_')}_load", o => o.Concurrency = concurrency))
            {
                var since = DateTime.UtcNow.AddSeconds(-1);
                var sent = await LoadAsync(run.Client, rate * 0.7, load, _ => (type, null));
                await WaitForAsync(sent, TimeSpan.FromMinutes(2));
                var (p50, p99, count) = await QueueWaitAsync(run.Database, since, type);
                Console.WriteLine($"| {type} | {concurrency} | {rate:N0}/s | {rate * 0.7:N0}/s for {load.TotalSeconds:N0} s ({count:N0} jobs) | {p50:N1} ms | {p99:N1} ms |");
            }
        }
    }

    /// <summary>
    /// 20 queues × 3 priorities. A backlog enqueued lowest priority first is drained by one worker serving all the
    /// queues: within each queue no job may start before a higher-priority one (the claim order). Then single
    /// enqueues of every queue and priority at 90 % of the drain's rate, and the queue wait per priority.
    /// </summary>
    private static async Task PrioritiesAsync(BenchServer server, int perPriority, TimeSpan load)
    {
        var queues = Enumerable.Range(0, 20).Select(q => $"q{q:00}").ToArray();
        int[] priorities = [0, 5, 10];
        void Processing(Jobs.Processing.ProcessingOptions o) => (o.Queues, o.Concurrency) = (queues, 10);
        double rate;
        await using (var run = await Run.StartAsync(server, "scale_priorities", o => o.Queues = ["nothing-yet"]))
        {
            // Filled before any worker serves these queues, lowest priority first, so order comes from the claims alone.
            foreach (var priority in priorities)
                foreach (var queue in queues)
                    await run.FillAsync(ScaleHost.Quick, perPriority, options: new EnqueueOptions { Queue = queue, Priority = priority });
            var total = perPriority * priorities.Length * queues.Length;
            var worker = ScaleHost.Build(run.Database, Processing);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await worker.StartAsync();
            await WaitForAsync(total, TimeSpan.FromMinutes(5));
            rate = ScaleCounter.Done / clock.Elapsed.TotalSeconds;
            await worker.StopAsync();
            worker.Dispose();
            var inversions = await ScalarAsync(run.Database, """
                SELECT count(*) FROM (
                    SELECT queue, priority, min(started_at) AS first, max(started_at) AS last FROM jobplatform.jobs GROUP BY queue, priority) a
                JOIN (SELECT queue, priority, min(started_at) AS first FROM jobplatform.jobs GROUP BY queue, priority) b
                  ON b.queue = a.queue AND b.priority < a.priority AND b.first < a.last
                """);
            Console.WriteLine($"Drain of {total:N0} jobs over 20 queues × 3 priorities: {rate:N0}/s; queues where a lower priority started before a higher one had: {inversions}");
        }
        await using (var run = await Run.StartAsync(server, "scale_priorities_load", Processing))
        {
            var since = DateTime.UtcNow.AddSeconds(-1);
            var sent = await LoadAsync(run.Client, rate * 0.9, load,
                i => (ScaleHost.Quick, new EnqueueOptions { Queue = queues[i % queues.Length], Priority = priorities[i / queues.Length % priorities.Length] }));
            await WaitForAsync(sent, TimeSpan.FromMinutes(2));
            Console.WriteLine($"Single enqueues at {rate * 0.9:N0}/s for {load.TotalSeconds:N0} s ({sent:N0} jobs), all queues and priorities:");
            Console.WriteLine("| priority | queue wait p50 | p99 | jobs |");
            Console.WriteLine("|---:|---:|---:|---:|");
            foreach (var priority in priorities.Reverse())
            {
                var (p50, p99, count) = await QueueWaitAsync(run.Database, since, priority: priority);
                Console.WriteLine($"| {priority} | {p50:N1} ms | {p99:N1} ms | {count:N0} |");
            }
        }
    }

    private static async Task<long> ScalarAsync(string db, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
