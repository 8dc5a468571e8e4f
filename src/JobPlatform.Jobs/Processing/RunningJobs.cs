using System.Collections.Concurrent;
using JobPlatform.Jobs.Storage;

namespace JobPlatform.Jobs.Processing;

/// <summary>
/// The attempts this server is running now, each under its own claim (<see cref="AttemptKey"/>): for lease renewal,
/// to cancel one on request, and to stop one whose lease this server has lost or is about to lose (see
/// <see cref="ServerHeartbeat"/>). Keyed by claim, not by job: when this server claims again a job whose old attempt
/// it lost, the old attempt's entry must neither hide the new one nor, when it ends, remove it.
/// </summary>
public sealed class RunningJobs(TimeProvider time)
{
    private readonly ConcurrentDictionary<AttemptKey, Entry> _attempts = new();
    private int _count;
    private TaskCompletionSource _empty = NewEmptySignal(completed: true);

    public int Count => Volatile.Read(ref _count);

    public IReadOnlyCollection<AttemptKey> Attempts => [.. _attempts.Keys];

    /// <param name="leaseFrom">When the claim was sent (<see cref="TimeProvider.GetTimestamp"/>): the database set
    /// the lease from a moment no earlier than that, so counting from it never overestimates the lease.</param>
    public AttemptKey Add(ClaimedJob job, CancellationTokenSource cancellation, long leaseFrom)
    {
        var key = new AttemptKey(job.Id, job.FencingToken);
        if (!_attempts.TryAdd(key, new Entry(cancellation, leaseFrom)))
            throw new InvalidOperationException($"Job {job.Id} was claimed twice with fencing token {job.FencingToken}.");
        lock (_attempts)
        {
            if (_count++ == 0) _empty = NewEmptySignal(completed: false);
        }
        return key;
    }

    public void Remove(AttemptKey key)
    {
        if (!_attempts.TryRemove(key, out _)) return;
        lock (_attempts)
        {
            if (--_count == 0) _empty.TrySetResult();
        }
    }

    /// <summary>Completes when no attempt runs here (now, or once the last one has been removed).</summary>
    public Task WhenEmptyAsync(CancellationToken cancellationToken)
    {
        lock (_attempts) return _empty.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The handler has returned; from now on only its outcome is outstanding, and a lost lease stops nothing.</summary>
    public void HandlerReturned(AttemptKey key)
    {
        if (_attempts.TryGetValue(key, out var entry)) entry.HandlerReturned = true;
    }

    /// <summary>Cancels the handlers of a job running here (someone asked to cancel it); false when it is not here.</summary>
    public bool RequestCancel(Guid jobId)
    {
        var found = false;
        foreach (var (key, entry) in _attempts)
        {
            if (key.JobId != jobId) continue;
            found = true;
            entry.CancelRequested = true;
            Cancel(entry);
        }
        return found;
    }

    public bool WasCancelRequested(AttemptKey key) => _attempts.TryGetValue(key, out var entry) && entry.CancelRequested;

    /// <summary>The database extended the attempt's lease by a renewal sent at <paramref name="sentAt"/>.</summary>
    public void LeaseRenewed(AttemptKey key, long sentAt)
    {
        if (_attempts.TryGetValue(key, out var entry)) Interlocked.Exchange(ref entry.LeaseFrom, sentAt);
    }

    /// <summary>
    /// The attempts whose handlers still run although no more than <paramref name="margin"/> of their lease is left
    /// (counted from its last renewal): they must stop before another server can take their jobs.
    /// </summary>
    public IReadOnlyList<AttemptKey> LeasesEnding(TimeSpan lease, TimeSpan margin) =>
        [.. _attempts.Where(a => !a.Value.HandlerReturned && time.GetElapsedTime(Interlocked.Read(ref a.Value.LeaseFrom)) >= lease - margin)
            .Select(a => a.Key)];

    /// <summary>
    /// This server no longer holds (or will not renew in time) the attempt's lease: cancels its handler. False when
    /// there was nothing to stop (the handler had returned, or the attempt is not here).
    /// </summary>
    public bool LoseLease(AttemptKey key)
    {
        if (!_attempts.TryGetValue(key, out var entry) || entry.HandlerReturned || entry.LeaseLost) return false;
        entry.LeaseLost = true;
        Cancel(entry);
        return true;
    }

    public bool WasLeaseLost(AttemptKey key) => _attempts.TryGetValue(key, out var entry) && entry.LeaseLost;

    private static TaskCompletionSource NewEmptySignal(bool completed)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed) signal.SetResult();
        return signal;
    }

    private static void Cancel(Entry entry) => CancelOffThreadPool.Start(entry.Cancellation);

    private sealed class Entry(CancellationTokenSource cancellation, long leaseFrom)
    {
        public CancellationTokenSource Cancellation { get; } = cancellation;
        public long LeaseFrom = leaseFrom;
        public volatile bool CancelRequested, LeaseLost, HandlerReturned;
    }
}
