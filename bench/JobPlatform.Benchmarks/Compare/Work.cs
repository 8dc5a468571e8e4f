using System.Collections.Concurrent;
using System.Diagnostics;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>
/// The job body every engine runs, called from each engine's own job class, so that the only difference
/// between the engines measured is the engine.
/// </summary>
public static class Work
{
    private static long _finished;
    private static readonly ConcurrentDictionary<int, TaskCompletionSource<long>> Probes = new();

    public static long Finished => Interlocked.Read(ref _finished);

    public static void Reset()
    {
        Interlocked.Exchange(ref _finished, 0);
        Probes.Clear();
    }

    public static async Task RunAsync(WorkKind kind, int arg, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case WorkKind.Probe:
                Probe(arg).TrySetResult(Stopwatch.GetTimestamp());
                break;
            case WorkKind.Sleep:
                await Task.Delay(10, cancellationToken);
                break;
        }
        Interlocked.Increment(ref _finished);
    }

    /// <summary>The <see cref="Stopwatch"/> timestamp at which probe <paramref name="arg"/> started.</summary>
    public static Task<long> StartedAsync(int arg) => Probe(arg).Task;

    private static TaskCompletionSource<long> Probe(int arg) =>
        Probes.GetOrAdd(arg, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
}
