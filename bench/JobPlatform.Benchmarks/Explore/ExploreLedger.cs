using System.Collections.Concurrent;

namespace JobPlatform.Benchmarks.Explore;

/// <summary>What the harness did and was told during a seed, for the checks that follow.</summary>
public sealed class ExploreLedger
{
    /// <summary>Jobs the client was told were enqueued (and committed, for transactional ones).</summary>
    public ConcurrentDictionary<Guid, string> Accepted { get; } = new();

    /// <summary>Jobs whose enqueue, cancel or delete failed midway (the database away): they may or may not exist.</summary>
    public ConcurrentDictionary<Guid, bool> Uncertain { get; } = new();

    public ConcurrentDictionary<Guid, bool> Deleted { get; } = new();
    public ConcurrentDictionary<Guid, bool> Touched { get; } = new();

    /// <summary>Jobs enqueued in a transaction that was rolled back: they must not exist.</summary>
    public ConcurrentDictionary<Guid, bool> RolledBack { get; } = new();

    public ConcurrentBag<Guid> Batches { get; } = [];

    /// <summary>Processes frozen (SIGSTOP) and when, by this machine's clock.</summary>
    public ConcurrentBag<(int Pid, DateTimeOffset From, DateTimeOffset To)> Frozen { get; } = [];

    /// <summary>Processes that could not run their timers for a while (<see cref="StallDetector"/>), by this machine's clock.</summary>
    public ConcurrentBag<(int Pid, DateTimeOffset From, DateTimeOffset To)> Stalled { get; } = [];

    /// <summary>Overlapping runs that a stall of the earlier run's worker explains (see <see cref="StalledWithin"/>).</summary>
    public int ExcusedOverlaps;

    /// <summary>Runs that started after a later claim's run, which a freeze or stall of their worker explains.</summary>
    public int ExcusedFalls;

    /// <summary>The first excused overlaps and falls, described, for the seed's output.</summary>
    public ConcurrentBag<string> Excused { get; } = [];

    /// <summary>Jobs the verifier found running twice at once (the first few), for the report to trace.</summary>
    public ConcurrentBag<Guid> Overlapping { get; } = [];

    public ConcurrentBag<string> Faults { get; } = [];
    public int RejectedOperations;

    private readonly List<Guid> _order = [];

    public void Accept(Guid id, string kind)
    {
        Accepted[id] = kind;
        lock (_order) _order.Add(id);
    }

    /// <summary>An earlier accepted job, picked by a step's target number.</summary>
    public Guid? Pick(int target)
    {
        lock (_order) return _order.Count == 0 ? null : _order[target % _order.Count];
    }

    public bool WasFrozen(int pid, DateTimeOffset at) => Frozen.Any(f => f.Pid == pid && f.From <= at && at <= f.To);

    public bool WasFrozenDuring(int pid, DateTimeOffset from, DateTimeOffset to) => Frozen.Any(f => f.Pid == pid && f.From <= to && from <= f.To);

    public bool StalledWithin(int pid, DateTimeOffset from, DateTimeOffset to) => Stalled.Any(s => s.Pid == pid && s.From <= to && from <= s.To);
}
