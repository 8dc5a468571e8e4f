using System.Diagnostics;
using JobPlatform.Jobs.Handlers;

namespace JobPlatform.Benchmarks.Scale;

/// <summary>The work the scale scenarios run: its shape is in the payload.</summary>
public sealed record ScalePayload(int N = 0);

/// <summary>Job bodies that have returned, counted in the worker's process (cheaper to watch than the table).</summary>
public static class ScaleCounter
{
    private static long _done;

    public static long Done => Interlocked.Read(ref _done);

    public static void Reset() => Interlocked.Exchange(ref _done, 0);

    public static Task CountAsync(Task work) => work.ContinueWith(t =>
    {
        Interlocked.Increment(ref _done);
        return t;
    }, TaskContinuationOptions.ExecuteSynchronously).Unwrap();
}

/// <summary>Waits 100 ms without a thread, as a job that calls a database or a web service does.</summary>
public sealed class IoJob : IJob<ScalePayload>
{
    public Task ExecuteAsync(ScalePayload payload, JobContext context, CancellationToken cancellationToken) => ScaleCounter.CountAsync(Task.Delay(100, cancellationToken));
}

/// <summary>Computes for 5 ms on its thread.</summary>
public sealed class CpuJob : IJob<ScalePayload>
{
    public Task ExecuteAsync(ScalePayload payload, JobContext context, CancellationToken cancellationToken)
    {
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 200;
        var x = 0UL;
        while (Stopwatch.GetTimestamp() < until) x = x * 6364136223846793005UL + 1442695040888963407UL;
        GC.KeepAlive(x);
        return ScaleCounter.CountAsync(Task.CompletedTask);
    }
}

/// <summary>One job in a hundred (N divisible by 100) waits 5 s, the rest 100 ms.</summary>
public sealed class MixedJob : IJob<ScalePayload>
{
    public Task ExecuteAsync(ScalePayload payload, JobContext context, CancellationToken cancellationToken) =>
        ScaleCounter.CountAsync(Task.Delay(payload.N % 100 == 0 ? 5000 : 100, cancellationToken));
}

/// <summary>Returns at once.</summary>
public sealed class QuickJob : IJob<ScalePayload>
{
    public Task ExecuteAsync(ScalePayload payload, JobContext context, CancellationToken cancellationToken) => ScaleCounter.CountAsync(Task.CompletedTask);
}

/// <summary>Notes the wall clock when its body starts, by the probe's number (for <c>profile --latency</c>).</summary>
public sealed class ProbeJob : IJob<ScalePayload>
{
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<int, DateTime> Started = new();

    public Task ExecuteAsync(ScalePayload payload, JobContext context, CancellationToken cancellationToken)
    {
        Started[payload.N] = DateTime.UtcNow;
        return Task.CompletedTask;
    }
}

/// <summary>Holds its slot of a limited type until the scenario ends (its token is cancelled when the worker stops).</summary>
public sealed class HoldingJob : IJob<ScalePayload>
{
    public Task ExecuteAsync(ScalePayload payload, JobContext context, CancellationToken cancellationToken) =>
        Task.Delay(Timeout.Infinite, cancellationToken);
}
