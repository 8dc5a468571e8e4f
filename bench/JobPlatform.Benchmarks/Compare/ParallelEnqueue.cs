namespace JobPlatform.Benchmarks.Compare;

public static class ParallelEnqueue
{
    /// <summary>Enqueues <paramref name="count"/> jobs from <paramref name="threads"/> threads at once.</summary>
    public static Task RunAsync(IContender contender, WorkKind kind, int count, int threads) =>
        Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Run(async () =>
        {
            // Thread t takes jobs t, t + threads, t + 2 * threads, ...
            for (var i = t; i < count; i += threads) await contender.EnqueueAsync(kind, i);
        })));
}
