using JobPlatform.Jobs.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace JobPlatform.Tests.Reliability;

/// <summary>How a loop waits and what it logs while its database stays away, on a fake clock.</summary>
public sealed class FailureStreakTests
{
    private readonly FakeLogger _logger = new();
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Waits_double_up_to_the_ceiling_with_jitter_and_start_again_after_a_success()
    {
        var streak = new FailureStreak(_logger, "Claiming", TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5), _time);
        var delays = Enumerable.Range(0, 8).Select(_ => streak.Failed(new TimeoutException())).ToList();

        double[] expected = [0.25, 0.5, 1, 2, 4, 5, 5, 5];
        foreach (var (delay, nominal) in delays.Zip(expected))
            Assert.InRange(delay.TotalSeconds, nominal * 0.8, nominal * 1.2);
        streak.Succeeded();
        Assert.InRange(streak.Failed(new TimeoutException()).TotalSeconds, 0.2, 0.3);
    }

    [Fact]
    public void An_outage_of_any_length_logs_its_start_a_line_every_30_seconds_and_its_end()
    {
        var streak = new FailureStreak(_logger, "Claiming", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), _time);
        for (var second = 0; second < 95; second++) // a try every second for 95 s
        {
            streak.Failed(new TimeoutException("no answer"));
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        streak.Succeeded();
        streak.Succeeded(); // nothing more to say

        var records = _logger.Collector.GetSnapshot();
        Assert.Equal(5, records.Count); // the start, at 30, 60 and 90 s, and the end
        Assert.IsType<TimeoutException>(records[0].Exception);
        Assert.All(records.Skip(1).Take(3), r => Assert.Contains("still failing", r.Message));
        Assert.Contains("no answer", records[1].Message);
        Assert.Equal(LogLevel.Information, records[^1].Level);
        Assert.Contains("works again after 95 failed tries", records[^1].Message);
    }
}
