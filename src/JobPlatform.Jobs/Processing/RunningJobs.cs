using System.Collections.Concurrent;
using JobPlatform.Jobs.Storage;

namespace JobPlatform.Jobs.Processing;

/// <summary>The attempts this server is running now: for lease renewal, and to cancel one on request.</summary>
public sealed class RunningJobs
{
    private readonly ConcurrentDictionary<Guid, Entry> _jobs = new();

    public int Count => _jobs.Count;

    public IReadOnlyCollection<Guid> Ids => [.. _jobs.Keys];

    public void Add(ClaimedJob job, CancellationTokenSource cancellation) => _jobs[job.Id] = new Entry(cancellation);

    public void Remove(Guid id) => _jobs.TryRemove(id, out _);

    /// <summary>Cancels the handler of a job running here (someone asked to cancel it); false when it is not here.</summary>
    public bool RequestCancel(Guid id)
    {
        if (!_jobs.TryGetValue(id, out var entry)) return false;
        entry.CancelRequested = true;
        try
        {
            // Callbacks run on the thread pool, not on the caller's (the notification listener's) thread.
            _ = entry.Cancellation.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The attempt ended meanwhile.
        }
        return true;
    }

    public bool WasCancelRequested(Guid id) => _jobs.TryGetValue(id, out var entry) && entry.CancelRequested;

    private sealed class Entry(CancellationTokenSource cancellation)
    {
        public CancellationTokenSource Cancellation { get; } = cancellation;
        public volatile bool CancelRequested;
    }
}
