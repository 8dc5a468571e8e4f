using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Scheduling;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace JobPlatform.Tests.Scheduling;

/// <summary>
/// Schedules on a clock the test controls: daylight-saving changes, misfire and overlap policies, firers
/// racing each other, management through the client, and schedules declared in code.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ScheduleTests(PostgresFixture postgres)
{
    /// <summary>A worker whose jobs nobody runs (they stay unfinished), whose scheduler is driven by the test.</summary>
    private async Task<(EngineHost Host, FakeTimeProvider Clock, ScheduleFirer Firer, string Db)> StartAsync(DateTimeOffset now)
    {
        var clock = new FakeTimeProvider(now);
        var db = await postgres.CreateDatabaseAsync();
        var host = await EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton<TimeProvider>(clock).AddSingleton<IScheduleClock>(new TimeProviderScheduleClock(clock))
                .AddSingleton(new Executions());
            jobs.AddJob<EchoJob, EchoPayload>("echo");
            jobs.Services.Configure<SchedulingOptions>(o => o.Enabled = false); // the test fires
        }, o => o.Queues = ["nobody-listens"]);
        return (host, clock, host.Services.GetRequiredService<ScheduleFirer>(), db);
    }

    private static Task<List<string>> KeysAsync(string db, string schedule) => Sql.StringsAsync(db,
        $"SELECT unique_key FROM jobplatform.jobs WHERE unique_key LIKE 'schedule:{schedule}:%' ORDER BY unique_key");

    [Fact]
    public async Task Daylight_saving_changes_fire_a_missing_time_once_and_a_repeated_time_once()
    {
        var (host, clock, firer, db) = await StartAsync(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero));
        await using var _ = host;
        var daily = new ScheduleDefinition("spring", "30 2 * * *", "echo", """{"text": "02:30 in Berlin"}""") { TimeZone = "Europe/Berlin" };
        await host.WithClientAsync(c => c.CreateScheduleAsync(daily));
        await RunClockAsync(clock, firer, until: new DateTimeOffset(2026, 3, 30, 12, 0, 0, TimeSpan.Zero));
        await host.WithClientAsync(c => c.PauseScheduleAsync("spring"));

        clock.SetUtcNow(new DateTimeOffset(2026, 10, 24, 12, 0, 0, TimeSpan.Zero));
        await host.WithClientAsync(c => c.CreateScheduleAsync(daily with { Name = "fall" }));
        await RunClockAsync(clock, firer, until: new DateTimeOffset(2026, 10, 26, 12, 0, 0, TimeSpan.Zero));

        // 29 March: 02:00 CET jumps to 03:00 CEST, so 02:30 never happens; it fires once, at 03:00 CEST.
        Assert.Equal(["schedule:spring:2026-03-29T01:00:00Z", "schedule:spring:2026-03-30T00:30:00Z"], await KeysAsync(db, "spring"));
        // 25 October: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice; it fires once, the first time.
        Assert.Equal(["schedule:fall:2026-10-25T00:30:00Z", "schedule:fall:2026-10-26T01:30:00Z"], await KeysAsync(db, "fall"));
    }

    [Fact]
    public async Task After_downtime_run_once_fires_one_job_and_skip_fires_none_and_says_why()
    {
        var (host, clock, firer, db) = await StartAsync(new DateTimeOffset(2026, 6, 1, 8, 0, 30, TimeSpan.Zero));
        await using var _ = host;
        await host.WithClientAsync(c => c.CreateScheduleAsync(new ScheduleDefinition("once", "* * * * *", "echo")));
        await host.WithClientAsync(c => c.CreateScheduleAsync(new ScheduleDefinition("skip", "* * * * *", "echo") { Misfire = MisfirePolicy.Skip }));

        clock.Advance(TimeSpan.FromMinutes(10)); // no server ran for ten minutes
        await firer.FireDueAsync(CancellationToken.None);

        Assert.Equal(["schedule:once:2026-06-01T08:10:00Z"], await KeysAsync(db, "once"));
        Assert.Empty(await KeysAsync(db, "skip"));
        var skip = (await host.WithClientAsync(c => c.GetScheduleAsync("skip")))!;
        Assert.Contains("missed 10 occurrences", skip.LastSkipReason);
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 8, 11, 0, TimeSpan.Zero), skip.NextOccurrences[0]);
    }

    /// <summary>
    /// A writer that read a schedule before the leader fired it (an update of its cron, the seeder) could write
    /// next_run_at back to the occurrence just fired; once that occurrence's job had finished, its unique key no
    /// longer stopped a second one, and it fired again (found by review).
    /// </summary>
    [Fact]
    public async Task An_occurrence_fired_already_is_not_fired_again_when_next_run_at_is_set_back_to_it()
    {
        var (host, clock, firer, db) = await StartAsync(new DateTimeOffset(2026, 6, 1, 8, 0, 30, TimeSpan.Zero));
        await using var _ = host;
        await host.WithClientAsync(c => c.CreateScheduleAsync(new ScheduleDefinition("minutely", "* * * * *", "echo")));
        clock.Advance(TimeSpan.FromMinutes(1));
        await firer.FireDueAsync(CancellationToken.None);
        Assert.Equal(["schedule:minutely:2026-06-01T08:01:00Z"], await KeysAsync(db, "minutely"));

        // Its job ends; then the racing writer's stale next_run_at lands.
        await Sql.ExecuteAsync(db, """
            UPDATE jobplatform.jobs SET state = 'succeeded', finished_at = now() WHERE unique_key LIKE 'schedule:minutely:%';
            UPDATE jobplatform.schedules SET next_run_at = '2026-06-01T08:01:00Z' WHERE name = 'minutely';
            """);
        await firer.FireDueAsync(CancellationToken.None);

        Assert.Equal(["schedule:minutely:2026-06-01T08:01:00Z"], await KeysAsync(db, "minutely"));
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 8, 2, 0, TimeSpan.Zero),
            (await host.WithClientAsync(c => c.GetScheduleAsync("minutely")))!.NextOccurrences[0]);
    }

    [Fact]
    public async Task A_late_tick_within_the_misfire_threshold_fires_every_occurrence()
    {
        var (host, clock, firer, db) = await StartAsync(new DateTimeOffset(2026, 6, 1, 8, 0, 0, 500, TimeSpan.Zero));
        await using var _ = host;
        await host.WithClientAsync(c => c.CreateScheduleAsync(new ScheduleDefinition("seconds", "* * * * * *", "echo") { Misfire = MisfirePolicy.Skip }));

        clock.Advance(TimeSpan.FromSeconds(3)); // the leader paused for three seconds
        await firer.FireDueAsync(CancellationToken.None);

        Assert.Equal(3, (await KeysAsync(db, "seconds")).Count);
    }

    [Fact]
    public async Task Overlap_skip_does_not_enqueue_while_the_previous_job_is_unfinished_and_says_why()
    {
        var (host, clock, firer, db) = await StartAsync(new DateTimeOffset(2026, 6, 1, 8, 0, 30, TimeSpan.Zero));
        await using var _ = host;
        await host.WithClientAsync(c => c.CreateScheduleAsync(new ScheduleDefinition("skip", "* * * * *", "echo") { Overlap = OverlapPolicy.Skip }));
        await host.WithClientAsync(c => c.CreateScheduleAsync(new ScheduleDefinition("allow", "* * * * *", "echo")));

        for (var minute = 0; minute < 2; minute++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            await firer.FireDueAsync(CancellationToken.None);
        }

        Assert.Single(await KeysAsync(db, "skip")); // nobody runs the jobs here, so the first never finishes
        Assert.Equal(2, (await KeysAsync(db, "allow")).Count);
        var skip = (await host.WithClientAsync(c => c.GetScheduleAsync("skip")))!;
        Assert.Contains("has not finished", skip.LastSkipReason);
        Assert.Equal(JobState.Enqueued, skip.LastJobState);
    }

    [Fact]
    public async Task Firers_racing_each_other_fire_every_occurrence_exactly_once()
    {
        var (host, clock, firer, db) = await StartAsync(new DateTimeOffset(2026, 6, 1, 8, 0, 0, 500, TimeSpan.Zero));
        await using var _ = host;
        await host.WithClientAsync(c => c.CreateScheduleAsync(new ScheduleDefinition("race", "* * * * * *", "echo")));

        for (var second = 0; second < 20; second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => firer.FireDueAsync(CancellationToken.None))));
        }

        var keys = await KeysAsync(db, "race");
        Assert.Equal(20, keys.Count);
        Assert.Equal(20, keys.Distinct().Count());
    }

    [Fact]
    public async Task The_client_creates_lists_pauses_resumes_triggers_updates_and_deletes_schedules()
    {
        var (host, clock, firer, db) = await StartAsync(new DateTimeOffset(2026, 6, 1, 8, 0, 30, TimeSpan.Zero));
        await using var _ = host;
        var definition = new ScheduleDefinition("report", "0 9 * * 1-5", "echo", """{"text": "daily"}""") { TimeZone = "America/New_York" };

        var created = await host.WithClientAsync(c => c.CreateScheduleAsync(definition));
        Assert.Equal("client", created.Source);
        // Mon 1 June 2026 09:00 EDT is 13:00 UTC; the weekend is left out.
        Assert.Equal(
            new[] { 1, 2, 3, 4, 5 }.Select(d => new DateTimeOffset(2026, 6, d, 13, 0, 0, TimeSpan.Zero)),
            created.NextOccurrences);
        await Assert.ThrowsAsync<DuplicateScheduleException>(() => host.WithClientAsync(c => c.CreateScheduleAsync(definition)));
        Assert.Equal("cron", (await Assert.ThrowsAsync<JobValidationException>(() => host.WithClientAsync(c => c.CreateScheduleAsync(definition with { Name = "bad", Cron = "61 * * * *" })))).Field);
        Assert.Equal("timeZone", (await Assert.ThrowsAsync<JobValidationException>(() => host.WithClientAsync(c => c.CreateScheduleAsync(definition with { Name = "bad", TimeZone = "Mars/Olympus" })))).Field);
        await Assert.ThrowsAsync<UnknownJobTypeException>(() => host.WithClientAsync(c => c.CreateScheduleAsync(definition with { Name = "bad", Type = "nope" })));

        Assert.True(await host.WithClientAsync(c => c.PauseScheduleAsync("report")));
        clock.Advance(TimeSpan.FromDays(1));
        await firer.FireDueAsync(CancellationToken.None);
        Assert.Empty(await KeysAsync(db, "report")); // paused: nothing fired
        Assert.True(await host.WithClientAsync(c => c.ResumeScheduleAsync("report")));
        var resumed = (await host.WithClientAsync(c => c.GetScheduleAsync("report")))!;
        Assert.Equal(new DateTimeOffset(2026, 6, 2, 13, 0, 0, TimeSpan.Zero), resumed.NextOccurrences[0]); // the missed one is not caught up

        var triggered = (await host.WithClientAsync(c => c.TriggerScheduleAsync("report")))!.Value;
        var job = (await host.WithClientAsync(c => c.GetAsync(triggered.Id)))!;
        Assert.Equal("echo", job.Type);
        Assert.Contains("schedule:report", job.Tags);

        var updated = (await host.WithClientAsync(c => c.UpdateScheduleAsync(definition with { Cron = "0 12 * * *", TimeZone = "UTC" })))!;
        Assert.Equal(new DateTimeOffset(2026, 6, 2, 12, 0, 0, TimeSpan.Zero), updated.NextOccurrences[0]);
        Assert.Null(await host.WithClientAsync(c => c.UpdateScheduleAsync(definition with { Name = "missing" })));

        Assert.Single(await host.WithClientAsync(c => c.GetSchedulesAsync()));
        Assert.True(await host.WithClientAsync(c => c.DeleteScheduleAsync("report")));
        Assert.False(await host.WithClientAsync(c => c.DeleteScheduleAsync("report")));
        Assert.Empty(await host.WithClientAsync(c => c.GetSchedulesAsync()));
    }

    [Fact]
    public async Task Schedules_declared_in_code_are_stored_once_by_workers_starting_together_and_follow_code_changes()
    {
        var db = await postgres.CreateDatabaseAsync();
        Task<EngineHost> Worker(string name, string cron) => EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(new Executions());
            jobs.AddJob<EchoJob, EchoPayload>("echo").AddSchedule("heartbeat", cron, "echo", new EchoPayload("beat"));
            jobs.Services.Configure<SchedulingOptions>(o => o.Enabled = false);
        }, o => (o.ServerName, o.Queues) = (name, ["nobody-listens"]));

        await using (await EngineHost.StartAsync(db)) { } // migrate first, so the workers race on the schedule, not the schema
        var workers = await Task.WhenAll(Worker("a", "0 * * * *"), Worker("b", "0 * * * *"), Worker("c", "0 * * * *"));
        foreach (var worker in workers) await worker.DisposeAsync();
        Assert.Equal(["code|0 * * * *"], await Sql.StringsAsync(db, "SELECT source || '|' || cron FROM jobplatform.schedules"));

        await using (var client = await EngineHost.StartAsync(db))
            await client.WithClientAsync(c => c.PauseScheduleAsync("heartbeat"));
        await using (await Worker("d", "*/5 * * * *")) { } // the code changed
        Assert.Equal(["code|*/5 * * * *|true"], await Sql.StringsAsync(db, "SELECT source || '|' || cron || '|' || paused FROM jobplatform.schedules"));
    }

    /// <summary>Moves the clock in five-minute steps, firing at each, as a leader's ticks would.</summary>
    private static async Task RunClockAsync(FakeTimeProvider clock, ScheduleFirer firer, DateTimeOffset until)
    {
        while (clock.GetUtcNow() < until)
        {
            clock.Advance(TimeSpan.FromMinutes(5));
            await firer.FireDueAsync(CancellationToken.None);
        }
    }
}
