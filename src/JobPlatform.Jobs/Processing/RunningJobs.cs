using System.Collections.Concurrent;
using JobPlatform.Jobs.Storage;

namespace JobPlatform.Jobs.Processing;

/// <summary>
/// The attempts this server is running now: for lease renewal, to cancel one on request, and to stop one whose
/// lease this server has lost (see <see cref="ServerHeartbeat"/>).
/// </summary>
public sealed class RunningJobs(TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, Entry> _jobs = new();

    public int Count => _jobs.Count;

    public IReadOnlyCollection<Guid> Ids => [.. _jobs.Keys];

    /// <param name="leaseFrom">When the claim was sent (<see cref="TimeProvider.GetTimestamp"/>): the database set
    /// the lease from a moment no earlier than that, so counting from it never overestimates the lease.</param>
    public void Add(ClaimedJob job, CancellationTokenSource cancellation, long leaseFrom) => _jobs[job.Id] = new Entry(cancellation, leaseFrom);

    public void Remove(Guid id) => _jobs.TryRemove(id, out _);

    /// <summary>The handler has returned; from now on only its outcome is outstanding, and a lost lease stops nothing.</summary>
    public void HandlerReturned(Guid id)
    {
        if (_jobs.TryGetValue(id, out var entry)) entry.HandlerReturned = true;
    }

    /// <summary>Cancels the handler of a job running here (someone asked to cancel it); false when it is not here.</summary>
    public bool RequestCancel(Guid id)
    {
        if (!_jobs.TryGetValue(id, out var entry)) return false;
        entry.CancelRequested = true;
        Cancel(entry);
        return true;
    }

    public bool WasCancelRequested(Guid id) => _jobs.TryGetValue(id, out var entry) && entry.CancelRequested;

    /// <summary>The database extended the job's lease by a renewal sent at <paramref name="sentAt"/>.</summary>
    public void LeaseRenewed(Guid id, long sentAt)
    {
        if (_jobs.TryGetValue(id, out var entry)) Interlocked.Exchange(ref entry.LeaseFrom, sentAt);
    }

    /// <summary>The jobs whose handlers still run although their lease (counted from its last renewal) has run out.</summary>
    public IReadOnlyList<Guid> LeasesRunOut(TimeSpan lease) =>
        [.. _jobs.Where(j => !j.Value.HandlerReturned && time.GetElapsedTime(Interlocked.Read(ref j.Value.LeaseFrom)) >= lease).Select(j => j.Key)];

    /// <summary>
    /// This server no longer holds the job's lease (another server may be running it): cancels its handler.
    /// False when there was nothing to stop (the handler had returned, or the job is not here).
    /// </summary>
    public bool LoseLease(Guid id)
    {
        if (!_jobs.TryGetValue(id, out var entry) || entry.HandlerReturned || entry.LeaseLost) return false;
        entry.LeaseLost = true;
        Cancel(entry);
        return true;
    }

    public bool WasLeaseLost(Guid id) => _jobs.TryGetValue(id, out var entry) && entry.LeaseLost;

    private static void Cancel(Entry entry)
    {
        try
        {
            // Callbacks run on the thread pool, not on the caller's (the notification listener's or heartbeat's) thread.
            _ = entry.Cancellation.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The attempt ended meanwhile.
        }
    }

    private sealed class Entry(CancellationTokenSource cancellation, long leaseFrom)
    {
        public CancellationTokenSource Cancellation { get; } = cancellation;
        public long LeaseFrom = leaseFrom;
        public volatile bool CancelRequested, LeaseLost, HandlerReturned;
    }
}
