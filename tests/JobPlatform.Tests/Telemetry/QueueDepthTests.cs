using System.Diagnostics.Metrics;
using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Scheduling;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Telemetry;

/// <summary>jobplatform.queue.depth: the cluster's unfinished jobs by queue and state, reported by the leader alone.</summary>
[Collection(PostgresCollection.Name)]
public sealed class QueueDepthTests(PostgresFixture postgres)
{
    [Fact]
    public async Task The_leader_reports_the_depth_by_queue_and_state_and_the_other_servers_report_nothing()
    {
        var db = await postgres.CreateDatabaseAsync();
        Task<EngineHost> Server(string name) => EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(new Executions());
            jobs.AddJob<EchoJob, EchoPayload>("echo");
            jobs.Services.Configure<SchedulingOptions>(o => o.Tick = TimeSpan.FromMilliseconds(100));
        }, o => (o.ServerName, o.Queues) = (name, ["default"]));
        await using var first = await Server("first");
        await using var second = await Server("second");
        await first.WithClientAsync(c => c.EnqueueManyAsync("echo", Enumerable.Range(0, 7).Select(i => new EchoPayload($"{i}")), new EnqueueOptions { Queue = "parked" }));
        await first.WithClientAsync(c => c.EnqueueManyAsync("echo", Enumerable.Range(0, 3).Select(i => new EchoPayload($"{i}")), new EnqueueOptions { Queue = "later", Delay = TimeSpan.FromHours(1) }));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        Dictionary<(string, string), long> first_, second_;
        do
        {
            await Task.Delay(500);
            (first_, second_) = (Depth(first), Depth(second));
        }
        // Until a sample taken after the enqueues (one every 5 s): an earlier one, of a server slow to start, lacks them.
        while (!first_.ContainsKey(("parked", "enqueued")) && !second_.ContainsKey(("parked", "enqueued")) && DateTime.UtcNow < deadline);

        // Exactly one of them leads; it alone reports, with the true counts.
        var (leader, follower) = first_.Count > 0 ? (first_, second_) : (second_, first_);
        Assert.Empty(follower);
        Assert.Equal(7, leader[("parked", "enqueued")]);
        Assert.Equal(3, leader[("later", "scheduled")]);
        // Every unfinished state of every known queue has a value, 0 included, so dashboards show 0, not "no data".
        Assert.Equal(0, leader[("parked", "processing")]);
        Assert.Equal(0, leader[("default", "enqueued")]); // the echo type's queue, empty

        // The oldest-wait gauge: the parked queue's jobs are due and wait; the later queue's are not due yet.
        var waits = Read<double>(first_.Count > 0 ? first : second, "jobplatform.queue.oldest_wait").ToDictionary(w => w.Queue, w => w.Value);
        Assert.InRange(waits["parked"], 0, 60);
        Assert.Equal(0, waits["later"]);
        Assert.Equal(0, waits["default"]);
        Assert.Empty(Read<double>(first_.Count > 0 ? second : first, "jobplatform.queue.oldest_wait"));
    }

    private static Dictionary<(string, string), long> Depth(EngineHost host) =>
        Read<long>(host, "jobplatform.queue.depth").ToDictionary(m => (m.Queue, m.State), m => m.Value);

    /// <summary>What one of the host's gauges reports right now, read the way an exporter reads it.</summary>
    private static List<(string Queue, string State, T Value)> Read<T>(EngineHost host, string instrumentName) where T : struct
    {
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        var result = new List<(string, string, T)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                // Every host in this test process has its own meter; keep only this host's.
                if (instrument.Name == instrumentName && ReferenceEquals(instrument.Meter.Scope, factory)) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<T>((_, value, tags, _) =>
        {
            string queue = "", state = "";
            foreach (var tag in tags)
                if (tag.Key == "queue") queue = (string)tag.Value!;
                else if (tag.Key == "state") state = (string)tag.Value!;
            result.Add((queue, state, value));
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return result;
    }
}
