using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using JobPlatform.Jobs.Handlers;

namespace JobPlatform.Tests.Engine;

public sealed record EchoPayload(string Text);

/// <summary>Remembers every attempt it ran, so tests can see what the engine did.</summary>
public sealed class Executions
{
    public ConcurrentQueue<(Guid JobId, int Attempt, string Text)> Runs { get; } = new();
}

public sealed class EchoJob(Executions executions) : IJob<EchoPayload>
{
    public Task ExecuteAsync(EchoPayload payload, JobContext context, CancellationToken cancellationToken)
    {
        executions.Runs.Enqueue((context.JobId, context.Attempt, payload.Text));
        return Task.CompletedTask;
    }
}

public sealed class AlwaysFailingJob(Executions executions) : IJob<EchoPayload>
{
    public Task ExecuteAsync(EchoPayload payload, JobContext context, CancellationToken cancellationToken)
    {
        executions.Runs.Enqueue((context.JobId, context.Attempt, payload.Text));
        throw new InvalidOperationException($"boom on attempt {context.Attempt}");
    }
}

/// <summary>What a <see cref="BlockingJob"/> saw: when it started, and when its token was cancelled.</summary>
public sealed class Gate
{
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource<DateTimeOffset> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Reports 50 % progress, then waits until its token is cancelled (timeout, cancel request or shutdown).</summary>
public sealed class BlockingJob(Gate gate) : IJob<EchoPayload>
{
    public async Task ExecuteAsync(EchoPayload payload, JobContext context, CancellationToken cancellationToken)
    {
        await context.ReportProgressAsync(50, "halfway", cancellationToken);
        gate.Started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        finally
        {
            gate.Cancelled.TrySetResult(DateTimeOffset.UtcNow);
        }
    }
}

/// <summary>Counts how many of its jobs run at the same moment.</summary>
public sealed class Parallelism
{
    private readonly ConcurrentDictionary<string, StrongBox<int>> _now = new();
    private readonly ConcurrentDictionary<string, int> _max = new();

    public int MaxOf(string queue) => _max.GetValueOrDefault(queue);

    public async Task RunAsync(string queue)
    {
        var counter = _now.GetOrAdd(queue, _ => new StrongBox<int>());
        var now = Interlocked.Increment(ref counter.Value);
        _max.AddOrUpdate(queue, now, (_, max) => Math.Max(max, now));
        await Task.Delay(100);
        Interlocked.Decrement(ref counter.Value);
    }
}

public sealed class ParallelismJob(Parallelism parallelism) : IJob<EchoPayload>
{
    public Task ExecuteAsync(EchoPayload payload, JobContext context, CancellationToken cancellationToken) =>
        parallelism.RunAsync(context.Queue);
}
