using JobPlatform.Jobs.Scheduling;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Correctness;

/// <summary>
/// Finding 8 of issue 16: one clock. The scheduler took its time from the app server while everything else used the
/// database's; a leader whose clock ran minutes fast seeded and fired schedules minutes early, or took on-time
/// occurrences for missed ones (collapsed or skipped by the misfire policy).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ScheduleClockSkewTests(PostgresFixture postgres)
{
    /// <summary>This machine's clock, so many minutes fast; timers and timestamps are untouched.</summary>
    private sealed class SkewedTimeProvider(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + skew;
    }

    [Theory]
    [InlineData(5)]
    [InlineData(-5)]
    public async Task A_leader_whose_clock_is_minutes_off_fires_every_occurrence_on_time(int skewMinutes)
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var leader = await EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton<TimeProvider>(new SkewedTimeProvider(TimeSpan.FromMinutes(skewMinutes))).AddSingleton(new Executions());
            jobs.AddJob<EchoJob, EchoPayload>("echo")
                .AddSchedule("every-second", "* * * * * *", "echo", new EchoPayload("tick"), s => s with { Misfire = MisfirePolicy.Skip });
            jobs.Services.Configure<SchedulingOptions>(o => (o.Tick, o.LeaseDuration) = (TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(2)));
        }, o => o.Queues = ["nobody-listens"]);

        await Task.Delay(TimeSpan.FromSeconds(4));
        var lags = (await Sql.StringsAsync(db, """
            SELECT extract(epoch FROM now() - substring(unique_key FROM 'schedule:every-second:(.*)')::timestamptz)::float8
            FROM jobplatform.jobs ORDER BY unique_key
            """)).Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList();

        // Fired each second, by the database's clock: none in the future, none skipped, none collapsed.
        Assert.True(lags.Count >= 3, $"{lags.Count} occurrences fired in 4 s");
        Assert.All(lags, lag => Assert.InRange(lag, 0, 5));
        Assert.Equal(0, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.schedules WHERE last_skip_reason IS NOT NULL"));
        var seconds = await Sql.StringsAsync(db, "SELECT unique_key FROM jobplatform.jobs ORDER BY unique_key");
        Assert.Equal(seconds.Count, seconds.Distinct().Count());
    }
}
