extern alias bench;

using bench::JobPlatform.Benchmarks.Chaos;
using JobPlatform.AppHost.Local;
using Xunit.Abstractions;

namespace JobPlatform.Tests.Reliability;

/// <summary>
/// The chaos suite's short variant (the full one: <c>bench … chaos</c>, 50,000 jobs): 3,000 mixed jobs through
/// three worker processes while one is killed every two seconds, one is paused past its lease and PostgreSQL
/// is restarted the way a crash would; nothing accepted may be lost, left claimed or applied twice.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Kills_a_pause_and_a_database_restart_lose_nothing_and_double_nothing()
    {
        var binaries = PostgresBinaries.Find();
        Assert.True(binaries is not null, "the chaos test restarts a PostgreSQL of its own: install the server binaries (apt-get install postgresql)");
        var options = new ChaosOptions
        {
            Jobs = 3_000,
            EnqueueFor = TimeSpan.FromSeconds(10),
            KillEvery = TimeSpan.FromSeconds(2),
            Lease = TimeSpan.FromSeconds(2),
            Timeout = TimeSpan.FromMinutes(3),
        };
        using var log = new StringWriter();
        var report = await new ChaosRun(options, log).RunAsync(binaries!, CancellationToken.None);
        report.Print(log);
        output.WriteLine(log.ToString());

        Assert.Empty(report.Failures);
        Assert.True(report.JobsAccepted >= options.Jobs);
        Assert.True(report.Kills >= 3, $"{report.Kills} kills");
        Assert.True(report.JobsHeldByPausedWorker > 0, "the pause caught no claimed job; it proved nothing");
        Assert.True(report.Rescues > 0, "no lease was rescued; the kills and the pause proved nothing");
        Assert.NotNull(report.ResumedAfterRestart);
        Assert.True(report.FinalStates.GetValueOrDefault("failed") > 0, "the jobs meant to fail for good must have run");
    }
}
