using System.Diagnostics;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using JobPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace JobPlatform.Tests.Reliability;

/// <summary>
/// Cancelling a token runs its callbacks on the cancelling thread, and Npgsql's blocks: it sends PostgreSQL a cancel
/// request over a new connection and waits for the answer. During a partition that wait lasts until Npgsql's timeouts
/// end, so handlers stopped from the thread pool starve it, and with it the timers that stop every other handler
/// before its lease runs out (the explorer saw a worker stall 2.3 s during a partition, never paused). The tests look
/// at the thread each cancellation runs on, not at the pool's delays, which the machine's load also makes.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BlockingCancellationTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int Handlers = 16;

    [Theory]
    [InlineData("lease")] // the whole server is cut off: the lease watch stops every handler
    [InlineData("timeout")] // only the handlers' database is: their timeouts stop them
    public async Task Handlers_stopped_during_a_partition_are_cancelled_off_the_thread_pool(string stoppedBy)
    {
        var db = await postgres.CreateDatabaseAsync();
        var direct = new NpgsqlConnectionStringBuilder(db);
        await using var proxy = new PartitionProxy(direct.Host!, direct.Port);
        var relayed = new NpgsqlConnectionStringBuilder(db) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString;
        await using var handlersDb = NpgsqlDataSource.Create(relayed);
        var stopped = new Stopped();
        await using var worker = await EngineHost.StartAsync(stoppedBy == "lease" ? relayed : db, jobs =>
        {
            jobs.Services.AddSingleton(handlersDb).AddSingleton(stopped).AddSingleton(new Direct(db));
            jobs.AddJob<WaitsOnTheDatabaseJob, EchoPayload>("waits");
        }, o => (o.LeaseDuration, o.Concurrency) = (TimeSpan.FromSeconds(4), Handlers));
        var options = new EnqueueOptions { Timeout = stoppedBy == "timeout" ? TimeSpan.FromSeconds(8) : null };
        for (var i = 0; i < Handlers; i++) await worker.EnqueueAsync("waits", new EchoPayload($"{i}"), options);
        await stopped.AllWatchingAsync(Handlers, TimeSpan.FromSeconds(30));

        proxy.Cut(); // the lease watch stops a handler once three quarters of its lease have gone unrenewed
        var worst = await LongestStallAsync(TimeSpan.FromSeconds(11)); // past the lease watch (3 s) and the timeouts (8 s)
        var cancelled = stopped.CancelledOnPoolThreads;
        proxy.Heal();
        output.WriteLine($"longest overrun of a 25 ms delay while {Handlers} handlers were stopped ({stoppedBy}): {worst.TotalMilliseconds:N0} ms");

        // Every token was cancelled, and not on a thread of the pool, which Npgsql's cancel request would have held.
        Assert.Equal(Handlers, cancelled.Count);
        Assert.DoesNotContain(true, cancelled);
        // Once the network heals, each handler returns cancelled.
        for (var waited = Stopwatch.StartNew(); stopped.Count < Handlers && waited.Elapsed < TimeSpan.FromSeconds(30);) await Task.Delay(50);
        Assert.Equal(Handlers, stopped.Count);
    }

    [Fact]
    public async Task A_server_stopping_while_its_handlers_wait_on_a_partition_stops_them_all_at_once()
    {
        var db = await postgres.CreateDatabaseAsync();
        var direct = new NpgsqlConnectionStringBuilder(db);
        await using var proxy = new PartitionProxy(direct.Host!, direct.Port);
        // Only the handlers' own database is cut off: the engine still reaches its own, so the jobs can be given back.
        await using var handlersDb = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(db) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString);
        var stopped = new Stopped();
        var worker = await EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(handlersDb).AddSingleton(stopped).AddSingleton(new Direct(db));
            jobs.AddJob<StopsWithoutItsQueryJob, EchoPayload>("waits");
        }, o => (o.Concurrency, o.ShutdownGrace) = (Handlers, TimeSpan.FromSeconds(1)));
        var ids = new List<Guid>();
        for (var i = 0; i < Handlers; i++) ids.Add(await worker.EnqueueAsync("waits", new EchoPayload($"{i}")));
        await Sql.WaitUntilAsync(db, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60) -- %'", Handlers, TimeSpan.FromSeconds(20));

        proxy.Cut();
        var stopping = Stopwatch.StartNew();
        await worker.DisposeAsync();
        output.WriteLine($"stopped in {stopping.Elapsed.TotalSeconds:N1} s with {Handlers} handlers waiting on a partition");
        proxy.Heal();

        // Each handler's Npgsql cancellation waits on the partition, but on a thread of its own: every handler is stopped
        // all the same (within the grace period plus a little), and every job is given back, none failed.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {stopping.Elapsed.TotalSeconds:N1} s");
        Assert.Equal(Handlers, stopped.Count);
        Assert.Equal((long)Handlers, await Sql.ScalarAsync(db,
            $"SELECT count(*) FROM jobplatform.jobs WHERE state = 'enqueued' AND id IN ({string.Join(",", ids.Select(id => $"'{id}'"))})"));
    }

    /// <summary>The longest a 25 ms delay overran while waiting <paramref name="length"/>: how long the pool had no thread for it.</summary>
    private static async Task<TimeSpan> LongestStallAsync(TimeSpan length)
    {
        var worst = TimeSpan.Zero;
        var tick = TimeSpan.FromMilliseconds(25);
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < length;)
        {
            var before = Stopwatch.GetTimestamp();
            await Task.Delay(tick);
            var overrun = Stopwatch.GetElapsedTime(before) - tick;
            if (overrun > worst) worst = overrun;
        }
        return worst;
    }

    /// <summary>
    /// Starts a query, then waits to be stopped and returns at once, leaving the query to Npgsql's cancellation. Npgsql
    /// registers on the token before it sends the query, so once the server runs it, this handler's own wait, registered
    /// later, is cancelled first (a token runs its callbacks latest first).
    /// </summary>
    private sealed class StopsWithoutItsQueryJob(NpgsqlDataSource relayed, Direct direct, Stopped stopped) : IJob<EchoPayload>
    {
        public async Task ExecuteAsync(EchoPayload payload, JobContext context, CancellationToken cancellationToken)
        {
            var sql = $"SELECT pg_sleep(60) -- {context.JobId}";
            _ = relayed.CreateCommand(sql).ExecuteNonQueryAsync(cancellationToken);
            await Sql.WaitUntilAsync(direct.ConnectionString, $"SELECT count(*) FROM pg_stat_activity WHERE query = '{sql}'", 1, TimeSpan.FromSeconds(20));
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                stopped.Add();
                throw;
            }
        }
    }

    private sealed record Direct(string ConnectionString);

    private sealed class Stopped
    {
        private int _count;
        private readonly List<bool> _cancelledOnPoolThread = [];
        private int _watching;

        public int Count => Volatile.Read(ref _count);
        public void Add() => Interlocked.Increment(ref _count);

        /// <summary>For each handler whose token was cancelled: whether the cancelling thread was one of the pool's.</summary>
        public List<bool> CancelledOnPoolThreads
        {
            get { lock (_cancelledOnPoolThread) return [.. _cancelledOnPoolThread]; }
        }

        /// <summary>
        /// Registered after Npgsql's callback, so it runs first (latest first), on the thread that then runs Npgsql's.
        /// </summary>
        public CancellationTokenRegistration Watch(CancellationToken token)
        {
            var registration = token.Register(() =>
            {
                lock (_cancelledOnPoolThread) _cancelledOnPoolThread.Add(Thread.CurrentThread.IsThreadPoolThread);
            });
            Interlocked.Increment(ref _watching);
            return registration;
        }

        public async Task AllWatchingAsync(int handlers, TimeSpan within)
        {
            for (var waited = Stopwatch.StartNew(); Volatile.Read(ref _watching) < handlers;)
            {
                if (waited.Elapsed > within) throw new TimeoutException($"{_watching} of {handlers} handlers started their query");
                await Task.Delay(20);
            }
        }
    }

    private sealed class WaitsOnTheDatabaseJob(NpgsqlDataSource relayed, Direct direct, Stopped stopped) : IJob<EchoPayload>
    {
        public async Task ExecuteAsync(EchoPayload payload, JobContext context, CancellationToken cancellationToken)
        {
            var sql = $"SELECT pg_sleep(60) -- {context.JobId}";
            await using var command = relayed.CreateCommand(sql);
            var query = command.ExecuteNonQueryAsync(cancellationToken);
            // Npgsql registers on the token before it sends the query: once the server runs it, a later registration
            // sees the thread that will run Npgsql's cancellation.
            await Sql.WaitUntilAsync(direct.ConnectionString, $"SELECT count(*) FROM pg_stat_activity WHERE query = '{sql}'", 1, TimeSpan.FromSeconds(20));
            using var watch = stopped.Watch(cancellationToken);
            try
            {
                await query;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                stopped.Add();
                throw;
            }
        }
    }
}
