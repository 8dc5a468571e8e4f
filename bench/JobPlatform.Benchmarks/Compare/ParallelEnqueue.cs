namespace JobPlatform.Benchmarks.Compare;

public static class ParallelEnqueue
{
    /// <summary>Enqueues jobs 0 to <paramref name="count"/> − 1 from <paramref name="threads"/> threads at once.</summary>
    public static Task RunAsync(IContender contender, WorkKind kind, int count, int threads) =>
        Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Run(async () =>
        {
            // Thread t takes jobs t, t + threads, t + 2 * threads, ...
            for (var i = t; i < count; i += threads) await contender.EnqueueAsync(kind, i);
        })));

    /// <summary>Enqueues from <paramref name="threads"/> threads for <paramref name="duration"/>; returns how many jobs it enqueued.</summary>
    public static async Task<int> ForAsync(IContender contender, WorkKind kind, TimeSpan duration, int threads, int first = 0)
    {
        var next = first - 1;
        var deadline = DateTime.UtcNow + duration;
        await Task.WhenAll(Enumerable.Range(0, threads).Select(_ => Task.Run(async () =>
        {
            while (DateTime.UtcNow < deadline) await contender.EnqueueAsync(kind, Interlocked.Increment(ref next));
        })));
        return next + 1 - first;
    }
}
