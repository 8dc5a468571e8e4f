using System.Collections.Concurrent;
using JobPlatform.Jobs.Storage;

namespace JobPlatform.Jobs.Processing;

/// <summary>The attempts this server is running now, so their leases can be renewed.</summary>
public sealed class RunningJobs
{
    private readonly ConcurrentDictionary<Guid, ClaimedJob> _jobs = new();

    public int Count => _jobs.Count;

    public IReadOnlyCollection<Guid> Ids => [.. _jobs.Keys];

    public void Add(ClaimedJob job) => _jobs[job.Id] = job;

    public void Remove(Guid id) => _jobs.TryRemove(id, out _);
}
