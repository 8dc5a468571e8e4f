extern alias bench;

using bench::JobPlatform.Benchmarks.Explore;
using JobPlatform.AppHost.Local;
using Xunit.Abstractions;

namespace JobPlatform.Tests.Reliability;

/// <summary>
/// The explorer's short variant (the full one: <c>bench … explore --seeds N</c>): three fixed seeds whose schedules
/// between them hold every fault — SIGKILL, SIGSTOP, a graceful stop, a PostgreSQL crash-restart, a silent
/// partition — among every kind of operation, and the engine's invariants checked after each.
/// </summary>
public sealed class ExplorerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_seeds_of_random_operations_and_faults_keep_every_invariant()
    {
        Assert.True(PostgresBinaries.Find() is not null, "the explorer restarts a PostgreSQL of its own: install the server binaries (apt-get install postgresql)");
        var options = new ExploreOptions { First = 3, Seeds = 3 };
        var faults = Enumerable.Range(options.First, options.Seeds)
            .SelectMany(seed => ExploreSchedule.For(seed, options.Length, options.Workers)).Select(s => s.Action).ToHashSet();
        Assert.Superset(ExploreSchedule.Faults.ToHashSet(), faults);

        using var log = new StringWriter();
        var failed = await ExploreCommand.RunAsync(options, log, CancellationToken.None);
        output.WriteLine(log.ToString());
        Assert.Empty(failed);
    }
}
