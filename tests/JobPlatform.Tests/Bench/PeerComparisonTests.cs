extern alias bench;

using bench::JobPlatform.Benchmarks;
using bench::JobPlatform.Benchmarks.Compare;
using JobPlatform.Tests.Infrastructure;
using Xunit.Abstractions;

namespace JobPlatform.Tests.Bench;

/// <summary>
/// The peer comparison, small: each engine (ours, Hangfire, Quartz.NET) goes through every scenario on the
/// test server, so that a package update or a changed schema that breaks one is found here, not in a long run.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PeerComparisonTests(PostgresFixture postgres, ITestOutputHelper output)
{
    [Theory]
    [InlineData("JobPlatform")]
    [InlineData("Hangfire")]
    [InlineData("Quartz")]
    public async Task Every_engine_runs_every_scenario_to_the_end(string name)
    {
        var server = BenchServer.Existing(postgres.AdminConnectionString);
        var options = CompareOptions.Parse(["--concurrency", "8", "--enqueue-threads", "4", "--timeout", "90"]);
        var engine = CompareCommand.Contenders(options).Single(c => c.Name == name) with
        {
            Sizes = new ScenarioSizes(SingleEnqueue: 20, ParallelEnqueue: 40, Drain: 100, Sleep: 50, LatencySamples: 10),
        };
        var scenarios = new PeerScenarios(server, options);

        // A peer's own rare stall is not this project's failure: in two of six CI runs on 2026-11-28 one of
        // Hangfire.PostgreSql's 100 no-op jobs was still unfinished after 90 s (jobs stuck in its queue are a known
        // complaint, hangfire-postgres/Hangfire.PostgreSql#161), once with a 30 s invisibility timeout. A peer's
        // scenario that fails runs once more, printed; a broken peer fails both. JobPlatform gets one try.
        async Task<Outcome[]> Scenario(Func<Task<Outcome[]>> run)
        {
            var first = await run();
            if (name == "JobPlatform" || first.All(o => o.Value > 0)) return first;
            output.WriteLine($"{name}: {string.Join("; ", first.Where(o => o.Value is not > 0).Select(o => o.Text))}; running the scenario once more");
            return await run();
        }

        // A drain reports a rate only once every job body ran and the engine's own store has none left.
        Outcome[] outcomes =
        [
            .. await Scenario(async () => [await scenarios.SingleEnqueueAsync(engine)]),
            .. await Scenario(async () => [await scenarios.ParallelEnqueueAsync(engine)]),
            .. await Scenario(async () => [await scenarios.DrainAsync(engine)]),
            .. await Scenario(async () => [await scenarios.SleepDrainAsync(engine)]),
            .. await Scenario(() => scenarios.IdleLatencyAsync(engine)),
        ];

        Assert.All(outcomes, o => Assert.True(o.Value > 0, o.Text));
        Assert.True(outcomes[4].Value <= outcomes[5].Value && outcomes[5].Value <= outcomes[6].Value, "p50 <= p95 <= p99");
    }

    /// <summary>A scenario that times out says what the peer's store holds, so a stall in CI explains itself.</summary>
    [Fact]
    public async Task A_timed_out_Hangfire_drain_names_its_unfinished_jobs()
    {
        var options = CompareOptions.Parse(["--concurrency", "1", "--timeout", "2"]);
        var engine = CompareCommand.Contenders(options).Single(c => c.Name == "Hangfire") with
        {
            Sizes = new ScenarioSizes(SingleEnqueue: 1, ParallelEnqueue: 1, Drain: 1, Sleep: 400, LatencySamples: 1),
        };

        // 400 jobs of 10 ms each on one worker cannot finish in 2 s.
        var outcome = await new PeerScenarios(BenchServer.Existing(postgres.AdminConnectionString), options).SleepDrainAsync(engine);

        output.WriteLine(outcome.Text);
        Assert.Null(outcome.Value);
        Assert.Matches(@"^timed out \(2 s, \d+ done\); unfinished: job \d+ '(Enqueued|Processing)' created [\d:.]+, queued, fetched ", outcome.Text);
    }

    [Fact]
    public void The_table_gives_ratios_in_our_favour_and_judges_the_targets()
    {
        Row Make(string measure, Better better, double ours, double? theirs) => new(measure, better, new()
        {
            [ComparisonTable.Ours] = new Outcome(ours, $"{ours}"),
            ["Peer"] = theirs is { } t ? new Outcome(t, $"{t}") : Outcome.Failed("timed out"),
        });
        List<Row> rows =
        [
            Make("enqueue, one thread", Better.Higher, 1000, 250),
            Make("drain, no-op jobs", Better.Higher, 10_000, 100),
            Make("idle latency p50", Better.Lower, 2, 40),
            Make("idle latency p99", Better.Lower, 5, null),
        ];
        var output = new StringWriter();

        ComparisonTable.Write(output, rows, [ComparisonTable.Ours, "Peer"]);

        var text = output.ToString();
        Assert.Contains("| enqueue, one thread | 1000 | 250 | 4.0× |", text);
        Assert.Contains("| drain, no-op jobs | 10000 | 100 | 100.0× |", text);
        Assert.Contains("| idle latency p50 | 2 | 40 | 20.0× |", text); // lower is better: 40 / 2
        Assert.Contains("| idle latency p99 | 5 | timed out | - |", text); // a failed peer stays in the table
        Assert.Contains("drain no-op >= 50x Peer: 100.0x: met", text);
        Assert.Contains("one-thread enqueue >= 10x Peer: 4.0x: MISSED", text);
        Assert.Contains("JobPlatform idle p99 < Peer p50: 5.0 ms vs 40.0 ms: met", text);
    }
}
