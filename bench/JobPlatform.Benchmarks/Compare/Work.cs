using System.Collections.Concurrent;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>
/// The job body every engine runs, called from each engine's own job class, so that the only difference between the
/// engines measured is the engine. It books every run by the job's number, so a scenario can check that each job
/// ran exactly once, and a probe's start against the producer's clock.
/// </summary>
public static class Work
{
    private static long _finished;
    private static int[] _runs = [];
    private static readonly ConcurrentDictionary<int, TaskCompletionSource<double>> Probes = new();

    /// <summary>Job bodies that have returned since <see cref="Reset"/>.</summary>
    public static long Finished => Interlocked.Read(ref _finished);

    /// <summary>Starts the books for jobs numbered 0 to <paramref name="expected"/> − 1.</summary>
    public static void Reset(int expected = 0)
    {
        Interlocked.Exchange(ref _finished, 0);
        _runs = new int[expected];
        Probes.Clear();
    }

    public static async Task RunAsync(WorkKind kind, int arg, long stamp, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case WorkKind.Probe:
                // The producer stamped the job with the wall clock just before its enqueue call; on one machine the
                // producer's process and this one read the same clock.
                Probe(arg).TrySetResult(TimeSpan.FromTicks(DateTime.UtcNow.Ticks - stamp).TotalMilliseconds);
                break;
            case WorkKind.Sleep:
                await Task.Delay(10, cancellationToken);
                break;
        }
        var runs = _runs;
        if ((uint)arg < (uint)runs.Length) Interlocked.Increment(ref runs[arg]);
        Interlocked.Increment(ref _finished);
    }

    /// <summary>What the books say of jobs 0 to <paramref name="count"/> − 1: how many never ran, and how many ran more than once.</summary>
    public static (int Missing, int Twice) Audit(int count)
    {
        var runs = _runs;
        int missing = 0, twice = 0;
        for (var i = 0; i < count; i++)
        {
            var n = i < runs.Length ? runs[i] : 0;
            if (n == 0) missing++;
            else if (n > 1) twice++;
        }
        return (missing, twice);
    }

    /// <summary>Milliseconds from probe <paramref name="arg"/>'s stamp to its start.</summary>
    public static Task<double> StartedAsync(int arg) => Probe(arg).Task;

    private static TaskCompletionSource<double> Probe(int arg) =>
        Probes.GetOrAdd(arg, _ => new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously));
}
