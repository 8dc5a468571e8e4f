using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Maintenance;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Engine;

/// <summary>
/// The queues' counts, the depth gauge and the throughput per minute the dashboard shows are read from counts the
/// database keeps (issue 18), not from the jobs: they must equal a count of the jobs after every way a job can be
/// added, move or go (enqueue, claim, outcome, cancel, skipped continuation, retry, delete, retention, hand edit,
/// truncate), folded or not, with several servers at work at once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class JobCountsTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static Task<EngineHost> StartAsync(string db, string name) => EngineHost.StartAsync(db, jobs =>
    {
        jobs.Services.AddSingleton(new Executions());
        jobs.AddJob<EchoJob, EchoPayload>("echo").AddJob<AlwaysFailingJob, EchoPayload>("always-fails", o => o.MaxAttempts = 1);
    }, o => (o.ServerName, o.Queues, o.Concurrency) = (name, ["default", "other"], 8));

    [Fact]
    public async Task Queue_counts_equal_a_count_of_the_jobs_through_every_way_a_job_is_added_moved_or_removed()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var first = await StartAsync(db, "first");
        await using var second = await StartAsync(db, "second");

        // Outcomes from two servers at once, on two queues.
        await first.WithClientAsync(c => c.EnqueueManyAsync("echo", Enumerable.Range(0, 300).Select(i => new EchoPayload($"{i}"))));
        await second.WithClientAsync(c => c.EnqueueManyAsync("echo", Enumerable.Range(0, 200).Select(i => new EchoPayload($"{i}")),
            new EnqueueOptions { Queue = "other" }));
        var failed = await first.EnqueueAsync("always-fails", new EchoPayload("f"));
        await first.WaitForStateAsync(failed, Timeout, JobState.Failed);
        await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE state = 'succeeded'", 500);
        await AssertCountsAsync(first, db, "outcomes");

        // A cancel, a continuation skipped at its insert and one skipped at its parent's end, a retry, a delete.
        var later = await first.EnqueueAsync("echo", new EchoPayload("later"), new EnqueueOptions { Delay = TimeSpan.FromHours(1) });
        await first.WithClientAsync(c => c.CancelAsync(later));
        await first.EnqueueAsync("echo", new EchoPayload("skipped"), new EnqueueOptions { ContinueAfter = failed });
        var parent = await first.EnqueueAsync("echo", new EchoPayload("parent"), new EnqueueOptions { Delay = TimeSpan.FromHours(1) });
        var child = await first.EnqueueAsync("echo", new EchoPayload("child"), new EnqueueOptions { ContinueAfter = parent });
        await first.WithClientAsync(c => c.CancelAsync(parent));
        await first.WaitForStateAsync(child, Timeout, JobState.Cancelled);
        await AssertCountsAsync(first, db, "cancels and skipped continuations");

        await first.WithClientAsync(c => c.RetryAsync(failed));
        await first.WaitForStateAsync(failed, Timeout, JobState.Failed);
        await first.WithClientAsync(c => c.DeleteAsync(later));
        await AssertCountsAsync(first, db, "a retry and a delete");

        // Retention, a hand edit, and a fold between them.
        var cleaner = first.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<JobCleaner>().Single();
        await cleaner.CleanAsync(new RetentionOptions { Succeeded = TimeSpan.Zero, BatchSize = 150 }, CancellationToken.None);
        await AssertCountsAsync(first, db, "retention");
        Assert.True(await first.WithStoreAsync(s => s.FoldJobCountsAsync(CancellationToken.None)) > 0, "nothing to fold");
        Assert.Equal(0, await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.job_count_changes"));
        await Sql.ExecuteAsync(db, "UPDATE jobplatform.jobs SET state = 'failed', queue = 'edited' WHERE state = 'cancelled'");
        await AssertCountsAsync(first, db, "a hand edit after a fold");

        // Folds racing each other and the servers' own folds lose nothing and count nothing twice.
        await second.WithClientAsync(c => c.EnqueueManyAsync("echo", Enumerable.Range(0, 300).Select(i => new EchoPayload($"{i}"))));
        var folds = Enumerable.Range(0, 20).Select(_ => Task.Run(() => first.WithStoreAsync(s => s.FoldJobCountsAsync(CancellationToken.None))));
        await Task.WhenAll(folds);
        await Sql.WaitUntilAsync(db, "SELECT count(*) FROM jobplatform.jobs WHERE state = 'succeeded'", 300);
        await AssertCountsAsync(first, db, "racing folds");

        await Sql.ExecuteAsync(db, "TRUNCATE jobplatform.jobs CASCADE");
        await AssertCountsAsync(first, db, "a truncate");
    }

    /// <summary>The counts the client and the depth gauge report per queue and state equal a count of the jobs.</summary>
    private static async Task AssertCountsAsync(EngineHost host, string db, string after)
    {
        var truth = (await Sql.StringsAsync(db, "SELECT queue || ' ' || state || ' ' || count(*) FROM jobplatform.jobs GROUP BY queue, state"))
            .Order(StringComparer.Ordinal).ToList();
        var reported = (await host.WithClientAsync(c => c.GetQueuesAsync()))
            .SelectMany(q => q.Counts.Select(c => $"{q.Queue} {c.Key} {c.Value}"))
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(truth.SequenceEqual(reported), $"after {after}: counted [{string.Join(", ", truth)}], reported [{string.Join(", ", reported)}]");
        var gauge = (await host.WithStoreAsync(s => s.CountUnfinishedAsync(CancellationToken.None)))
            .Where(r => r.Count > 0).Select(r => $"{r.Queue} {r.State} {r.Count}").Order(StringComparer.Ordinal).ToList();
        var unfinished = truth.Where(t => t.Split(' ')[1] is "scheduled" or "enqueued" or "processing" or "awaiting").ToList();
        Assert.True(unfinished.SequenceEqual(gauge), $"after {after}: counted [{string.Join(", ", unfinished)}], the gauge [{string.Join(", ", gauge)}]");

        var perMinute = await Sql.StringsAsync(db, """
            SELECT to_char(minute AT TIME ZONE 'UTC', 'HH24:MI') || ' ' || count(*) FILTER (WHERE state = 'succeeded')
                   || ' ' || count(*) FILTER (WHERE state = 'failed') || ' ' || count(*) FILTER (WHERE state = 'cancelled')
            FROM (SELECT date_trunc('minute', finished_at) AS minute, state FROM jobplatform.jobs
                  WHERE state IN ('succeeded', 'failed', 'cancelled')) f
            GROUP BY minute ORDER BY minute
            """);
        var throughput = (await host.WithClientAsync(c => c.GetThroughputAsync(TimeSpan.FromDays(1))))
            .Select(p => $"{p.Minute.UtcDateTime:HH:mm} {p.Succeeded} {p.Failed} {p.Cancelled}").ToList();
        Assert.True(perMinute.SequenceEqual(throughput),
            $"after {after}: counted per minute [{string.Join(", ", perMinute)}], reported [{string.Join(", ", throughput)}]");
    }
}
