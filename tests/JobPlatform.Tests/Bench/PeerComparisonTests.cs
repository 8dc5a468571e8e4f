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
    private static CompareOptions Small(int timeoutSeconds = 90) => CompareOptions.Parse(
        ["--enqueue-threads", "4", "--timeout", $"{timeoutSeconds}", "--enqueue-ms", "300", "--window-ms", "500", "--workers", "8"]);

    [Theory]
    [InlineData("JobPlatform//8")]
    [InlineData("Hangfire/longpolling=off;poll=15/8")]
    [InlineData("Hangfire/longpolling=on;poll=50/8")]
    [InlineData("Quartz/clustered=on;lockoninsert=off;useproperties=on/8")]
    [InlineData("Quartz/clustered=off;lockoninsert=on;useproperties=off/8")]
    public async Task Every_engine_setting_runs_every_scenario_to_the_end_with_its_books_right(string id)
    {
        var setup = EngineSetup.Parse(id);
        var scenarios = new PeerScenarios(BenchServer.Existing(postgres.AdminConnectionString), Small());

        // A peer's own rare stall is not this project's failure: in two of six CI runs on 2026-11-28 one of
        // Hangfire.PostgreSql's 100 no-op jobs was still unfinished after 90 s (jobs stuck in its queue are a known
        // complaint, hangfire-postgres/Hangfire.PostgreSql#161), once with a 30 s invisibility timeout. A peer's
        // scenario that fails runs once more, printed; a broken peer fails both. JobPlatform gets one try.
        async Task<Outcome[]> Scenario(Func<Task<Outcome[]>> run)
        {
            var first = await run();
            if (setup.Engine == EngineSetup.JobPlatform || first.All(o => o.Value > 0)) return first;
            output.WriteLine($"{id}: {string.Join("; ", first.Where(o => o.Value is not > 0).Select(o => o.Text))}; running the scenario once more");
            return await run();
        }

        // A drain reports a rate only once every job body ran exactly once and the engine's own store has none left.
        Outcome[] outcomes =
        [
            .. await Scenario(async () => [await scenarios.EnqueueAsync(setup, 1)]),
            .. await Scenario(async () => [await scenarios.EnqueueAsync(setup, 4)]),
            .. await Scenario(async () => [await scenarios.DrainAsync(setup, WorkKind.Noop, fill: 100)]),
            .. await Scenario(async () => [await scenarios.DrainAsync(setup, WorkKind.Sleep, fill: 50)]),
            .. await Scenario(() => scenarios.LatencyAsync(setup, outOfProcess: false, samples: 10)),
            .. setup.TakesOutOfProcessProducers ? await Scenario(() => scenarios.LatencyAsync(setup, outOfProcess: true, samples: 10)) : [],
        ];

        foreach (var o in outcomes) output.WriteLine($"{o.Text} {o.Note}");
        Assert.All(outcomes, o => Assert.True(o.Value > 0, o.Text));
        Assert.Matches(@"^fill [\d,.]+/s; peak \d+ connections$", outcomes[2].Note);
        Assert.True(outcomes[4].Value <= outcomes[5].Value && outcomes[5].Value <= outcomes[6].Value, "p50 <= p95 <= p99");
    }

    /// <summary>A scenario that times out says what the peer's store holds, so a stall in CI explains itself.</summary>
    [Fact]
    public async Task A_timed_out_Hangfire_drain_names_its_unfinished_jobs()
    {
        // 400 jobs of 10 ms each on one worker cannot finish in 3 s.
        var setup = EngineSetup.Parse("Hangfire/longpolling=off;poll=50/1");
        var outcome = await new PeerScenarios(BenchServer.Existing(postgres.AdminConnectionString), Small(timeoutSeconds: 3))
            .DrainAsync(setup, WorkKind.Sleep, fill: 400);

        output.WriteLine(outcome.Text);
        Assert.Null(outcome.Value);
        Assert.Matches(@"^timed out \(3 s, \d+ done\); unfinished: job \d+ '(Enqueued|Processing)' created [\d:.]+, queued, fetched ", outcome.Text);
    }

    [Fact]
    public async Task The_books_find_a_job_that_never_ran_and_one_that_ran_twice()
    {
        Work.Reset(3);
        await Work.RunAsync(WorkKind.Noop, 0, 0, CancellationToken.None);
        await Work.RunAsync(WorkKind.Noop, 0, 0, CancellationToken.None);
        await Work.RunAsync(WorkKind.Noop, 2, 0, CancellationToken.None);

        Assert.Equal((1, 1), Work.Audit(3));
        Work.Reset();
    }

    [Fact]
    public void The_table_gives_medians_ranges_and_ratios_within_each_repetition_and_judges_the_targets()
    {
        Row Make(string measure, Better better, double[] ours, double?[] theirs)
        {
            var row = new Row(measure, better);
            foreach (var o in ours) row.Add(ComparisonTable.Ours, new Outcome(o, $"{o}"));
            foreach (var t in theirs) row.Add("Peer", t is { } v ? new Outcome(v, $"{v}") : Outcome.Failed("timed out"));
            return row;
        }
        var options = CompareOptions.Parse([]);
        var rows = Scenario.Rows(options).Select(r => r.Measure switch
        {
            "drain, no-op jobs" => Make(r.Measure, r.Better, [20_000, 30_000, 10_000], [100, 1000, 200]),
            "latency p50, producer in another process" => Make(r.Measure, r.Better, [2, 1, 3], [40, 40, 40]),
            "latency p99, producer in another process" => Make(r.Measure, r.Better, [5, 6, 4], [null, 80, 90]),
            _ => r,
        }).ToList();
        var table = new StringWriter();

        ComparisonTable.Write(table, rows, [ComparisonTable.Ours, "Peer"]);

        var text = table.ToString();
        output.WriteLine(text);
        // Ratios per repetition: 200, 30 and 50; their median is 50, not the ratio of the medians (20,000 / 200 = 100).
        Assert.Contains("| drain, no-op jobs | 20,000/s [10,000/s–30,000/s] | 200/s [100/s–1,000/s] | 50.0× [30.0–200.0] |", text);
        Assert.Contains("| latency p50, producer in another process | 2.0 ms [1.0 ms–3.0 ms] | 40.0 ms [40.0 ms–40.0 ms] | 20.0× [13.3–40.0] |", text);
        Assert.Contains("| 85.0 ms [80.0 ms–90.0 ms] (1 of 3 failed: timed out) |", text); // a failed repetition stays in the table
        Assert.DoesNotContain("enqueue, one thread", text); // rows nobody measured are left out
        Assert.Contains("drain no-op >= 20,000 jobs/s: 20,000/s: met", text);
        Assert.Contains("latency p99 <= 5 ms, producer in another process: 5.0 ms: met", text);
        Assert.Contains("drain no-op >= 50x Peer: 50.0x: met", text);
    }
}
