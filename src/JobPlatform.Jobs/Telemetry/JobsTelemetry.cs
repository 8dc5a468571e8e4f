using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace JobPlatform.Jobs.Telemetry;

/// <summary>
/// The engine's meter and activity source, named as the telemetry contract in ARCHITECTURE.md says.
/// Tags are job type and queue only: both come from registered types, so label values stay bounded.
/// </summary>
public sealed class JobsTelemetry : IDisposable
{
    public const string Name = "JobPlatform.Jobs";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _enqueued;
    private readonly Counter<long> _completed;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _queueWait;
    private readonly UpDownCounter<long> _inFlight;
    private volatile IReadOnlyList<Measurement<long>> _depth = [];
    private volatile IReadOnlyList<Measurement<double>> _oldestWait = [];

    public JobsTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        _enqueued = _meter.CreateCounter<long>("jobplatform.jobs.enqueued", description: "Jobs enqueued.");
        _completed = _meter.CreateCounter<long>("jobplatform.jobs.completed", description: "Attempts finished, by outcome.");
        _duration = _meter.CreateHistogram<double>("jobplatform.job.duration", "s", "Time an attempt ran.");
        _queueWait = _meter.CreateHistogram<double>("jobplatform.job.queue_wait", "s", "Time from due to start.");
        _inFlight = _meter.CreateUpDownCounter<long>("jobplatform.jobs.in_flight", description: "Attempts running now.");
        _meter.CreateObservableGauge("jobplatform.queue.depth", () => _depth,
            description: "Unfinished jobs by queue and state, in the whole cluster (reported by the scheduler's leader only).");
        // Beyond the contract: what an "oldest job waits too long" alert needs, which a histogram of started jobs cannot show.
        _meter.CreateObservableGauge("jobplatform.queue.oldest_wait", () => _oldestWait, "s",
            "How long the longest-waiting due job of each queue has waited (reported by the scheduler's leader only).");
    }

    /// <summary>Sets what <c>jobplatform.queue.oldest_wait</c> reports, per queue; see <see cref="SetQueueDepth"/>.</summary>
    public void SetOldestWait(IEnumerable<(string Queue, double Seconds)> waits) =>
        _oldestWait = [.. waits.Select(w => new Measurement<double>(w.Seconds, new KeyValuePair<string, object?>("queue", w.Queue)))];

    /// <summary>
    /// Sets what <c>jobplatform.queue.depth</c> reports: counts by (queue, state) for the whole cluster. Only one
    /// server reports them (the others report none), so summing over instances gives the true depth.
    /// </summary>
    public void SetQueueDepth(IEnumerable<(string Queue, string State, long Count)> counts) =>
        _depth = [.. counts.Select(c => new Measurement<long>(c.Count,
            new KeyValuePair<string, object?>("queue", c.Queue), new KeyValuePair<string, object?>("state", c.State)))];

    public Activity? StartEnqueue(string type, string? queue) =>
        ActivitySource.StartActivity($"enqueue {type}", ActivityKind.Producer)
            ?.SetTag("jobplatform.job.type", type)
            .SetTag("jobplatform.job.queue", queue);

    /// <summary>Starts the execution span as a child of the enqueuing trace when one was stored.</summary>
    public Activity? StartExecution(string type, string queue, Guid id, int attempt, string? traceParent)
    {
        ActivityContext.TryParse(traceParent, null, out var parent);
        return ActivitySource.StartActivity($"execute {type}", ActivityKind.Consumer, parent)
            ?.SetTag("jobplatform.job.id", id)
            .SetTag("jobplatform.job.type", type)
            .SetTag("jobplatform.job.queue", queue)
            .SetTag("jobplatform.job.attempt", attempt);
    }

    public void RecordEnqueued(string type, string queue, long count = 1) => _enqueued.Add(count, Tags(type, queue));

    public void RecordStarted(string type, string queue, TimeSpan queueWait)
    {
        _inFlight.Add(1, Tags(type, queue));
        _queueWait.Record(Math.Max(0, queueWait.TotalSeconds), Tags(type, queue));
    }

    /// <param name="outcome">succeeded, failed, cancelled or retried; null when the attempt was given
    /// back or its outcome refused, which the contract does not count as a completion.</param>
    public void RecordFinished(string type, string queue, string? outcome, TimeSpan duration)
    {
        _inFlight.Add(-1, Tags(type, queue));
        _duration.Record(duration.TotalSeconds, Tags(type, queue));
        if (outcome is not null)
            _completed.Add(1, [new("job_type", type), new("queue", queue), new("outcome", outcome)]);
    }

    public void Dispose() => _meter.Dispose();

    private static TagList Tags(string type, string queue) => new() { { "job_type", type }, { "queue", queue } };
}
