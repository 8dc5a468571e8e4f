using JobPlatform.Jobs.Processing;
using JobPlatform.Jobs.Scheduling;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Scheduling;

/// <summary>Schedules fired by several servers at once, in real time, and a leader killed in the middle.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ScheduleFiringTests(PostgresFixture postgres)
{
    private const string Occurrences = "SELECT unique_key FROM jobplatform.jobs WHERE unique_key LIKE 'schedule:tick:%' ORDER BY unique_key";

    [Fact]
    public async Task A_schedule_every_second_fires_once_per_occurrence_with_three_servers()
    {
        var db = await postgres.CreateDatabaseAsync();
        var servers = new List<EngineHost>();
        try
        {
            // Three servers declare the same schedule and all try to lead; ticks are short so that two may
            // well believe they lead at once while the lease changes hands.
            foreach (var name in new[] { "s1", "s2", "s3" })
                servers.Add(await EngineHost.StartAsync(db, jobs =>
                {
                    jobs.Services.AddSingleton(new Executions());
                    jobs.AddJob<EchoJob, EchoPayload>("echo")
                        .AddSchedule("tick", "* * * * * *", "echo", new EchoPayload("tick"));
                    jobs.Services.Configure<SchedulingOptions>(o => (o.Tick, o.LeaseDuration) = (TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)));
                }, o => o.ServerName = name));
            await Task.Delay(TimeSpan.FromSeconds(32));
        }
        finally
        {
            foreach (var server in servers) await server.DisposeAsync();
        }

        var keys = await Sql.StringsAsync(db, Occurrences);
        Assert.Equal(keys.Count, keys.Distinct().Count()); // never twice for one occurrence
        var seconds = keys.Select(OccurrenceOf).ToList();
        // Thirty seconds in the middle of the run: every second fired once (±1 at the edges).
        var window = seconds.Where(s => s >= seconds[0].AddSeconds(1) && s < seconds[0].AddSeconds(31)).ToList();
        Assert.InRange(window.Count, 29, 31);
        Assert.All(seconds.Zip(seconds.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second - pair.First));
        Assert.Equal(1, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.schedules"));
    }

    [Fact]
    public async Task Killing_the_leader_hands_over_within_the_lease_time_and_fires_nothing_twice()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using (await EngineHost.StartAsync(db)) { } // migrate
        await Sql.ExecuteAsync(db, "CREATE TABLE side_effects (job_id uuid NOT NULL, token bigint NOT NULL, pid int NOT NULL)");
        const double leaseSeconds = 3;
        var workers = new List<System.Diagnostics.Process>();
        try
        {
            workers.Add(TestWorkerProcess.Start(db, $"{leaseSeconds}", "--schedule"));
            workers.Add(TestWorkerProcess.Start(db, $"{leaseSeconds}", "--schedule"));
            await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.leases WHERE expires_at > now()", 1);
            await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE unique_key LIKE 'schedule:tick:%'", 3);

            var leader = await LeaderPidAsync(db);
            var doomed = workers.Single(w => w.Id == leader);
            doomed.Kill(); // SIGKILL: the lease is not released; it must run out
            var killedAt = DateTime.UtcNow;
            await doomed.WaitForExitAsync();

            while (await LeaderPidAsync(db) is not { } next || next == leader)
            {
                Assert.True(DateTime.UtcNow - killedAt < TimeSpan.FromSeconds(leaseSeconds + 3), "no server took over within the lease time");
                await Task.Delay(50);
            }
            var handover = DateTime.UtcNow - killedAt;
            Assert.True(handover < TimeSpan.FromSeconds(leaseSeconds + 1), $"handover took {handover}");
            await Task.Delay(TimeSpan.FromSeconds(3)); // the new leader fires, including what fell in the gap
        }
        finally
        {
            foreach (var worker in workers.Where(w => !w.HasExited)) worker.Kill();
            foreach (var worker in workers) worker.Dispose();
        }

        var keys = await Sql.StringsAsync(db, Occurrences);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        // The occurrences missed while nobody led were fired late by the new leader: no gap, no double.
        var seconds = keys.Select(OccurrenceOf).ToList();
        Assert.All(seconds.Zip(seconds.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second - pair.First));
        Assert.True(seconds.Count >= 6, $"only {seconds.Count} occurrences fired");
    }

    [Fact]
    public async Task A_schedule_that_stays_due_is_tried_again_each_tick_not_in_a_tight_loop()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using (var setup = await EngineHost.StartAsync(db)) // migrates; runs no scheduler
            await setup.WithStoreAsync(async s =>
            {
                await s.UpsertScheduleAsync(new ScheduleDefinition("stuck", "0 0 1 1 *", "echo", """{"text":"x"}"""),
                    DateTimeOffset.UtcNow.AddMinutes(-1), CancellationToken.None);
                return 0;
            });
        // The schedule is due, but the leader cannot fire it: the test holds its row (the firer skips locked rows),
        // as a long edit of it, or a firing that fails every time, would.
        await using var holder = new Npgsql.NpgsqlConnection(db);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var lockRow = new Npgsql.NpgsqlCommand("SELECT 1 FROM jobplatform.schedules WHERE name = 'stuck' FOR UPDATE", holder, transaction))
            await lockRow.ExecuteNonQueryAsync();

        var clock = new CountingScheduleClock();
        await using var leader = await EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(new Executions());
            jobs.AddJob<EchoJob, EchoPayload>("echo");
            jobs.Services.AddSingleton<IScheduleClock>(clock);
            jobs.Services.Configure<SchedulingOptions>(o => o.Tick = TimeSpan.FromSeconds(1));
        });
        await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.leases WHERE name = 'scheduler' AND expires_at > now()", 1);
        var before = clock.Calls;
        await Task.Delay(TimeSpan.FromSeconds(3));
        var rounds = clock.Calls - before;
        // A round reads the clock twice (is it due; fire what is due). Once a tick is about six calls in three
        // seconds; the old five-millisecond retry made hundreds.
        Assert.InRange(rounds, 1, 20);
        Assert.Equal(0, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.jobs"));
    }

    /// <summary>The machine's clock, counting how often the scheduler reads it.</summary>
    private sealed class CountingScheduleClock : IScheduleClock
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<DateTimeOffset> NowAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(DateTimeOffset.UtcNow);
        }
    }

    private static async Task<int?> LeaderPidAsync(string db)
    {
        var holders = await Sql.StringsAsync(db, "SELECT holder FROM jobplatform.leases WHERE name = 'scheduler' AND expires_at > now()");
        return holders.Count == 1 ? int.Parse(holders[0].Split(':')[^1]) : null;
    }

    private static DateTimeOffset OccurrenceOf(string key) =>
        DateTimeOffset.Parse(key["schedule:tick:".Length..], System.Globalization.CultureInfo.InvariantCulture);
}
