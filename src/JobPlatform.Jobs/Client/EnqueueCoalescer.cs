using System.Diagnostics;
using System.Threading.Channels;
using JobPlatform.Jobs.Storage;
using JobPlatform.Jobs.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace JobPlatform.Jobs.Client;

/// <summary>
/// Group commit for single enqueues made at the same time (typically one per HTTP request): each caller hands its
/// job over and waits; a few writers take whatever has gathered and insert it with one durable commit
/// (<see cref="JobStore.InsertManyAsync"/>). A caller is answered only after that commit, exactly as with its own
/// commit, but the database pays one commit (WAL flush, transaction) for many jobs. Nothing waits on a timer: a job
/// that finds a writer free goes at once, so a lone caller sees no delay; batches form only while writers are busy.
/// A batch the server refuses is retried job by job; a database that does not answer fails the whole batch.
/// Jobs with a unique key or a parent, and jobs enqueued in the caller's transaction, never come here.
/// </summary>
internal sealed class EnqueueCoalescer : IAsyncDisposable
{
    /// <summary>Concurrent batches: enough to keep the database busy while one waits for its flush.</summary>
    private static readonly int Writers = Math.Clamp(Environment.ProcessorCount, 2, 4);
    private const int MaxBatch = 256;

    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger<EnqueueCoalescer> _logger;
    private readonly Task[] _writers;

    public EnqueueCoalescer(IServiceScopeFactory scopes, ILogger<EnqueueCoalescer> logger)
    {
        _scopes = scopes;
        _logger = logger;
        _writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteAsync)).ToArray();
    }

    /// <returns>The job's id and queue once committed; null when no worker registered its type.</returns>
    public Task<(Guid Id, string? Queue)?> InsertAsync(NewJob job, CancellationToken cancellationToken)
    {
        var pending = new Pending(job, cancellationToken);
        if (!_pending.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(EnqueueCoalescer));
        return pending.Done.Task;
    }

    private async Task WriteAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var pending))
            {
                // A caller that gave up before its job was taken is not enqueued (it was never told it was).
                if (pending.CancellationToken.IsCancellationRequested) pending.Done.TrySetCanceled(pending.CancellationToken);
                else batch.Add(pending);
            }
            if (batch.Count > 0) await InsertBatchAsync(batch);
        }
    }

    private async Task InsertBatchAsync(List<Pending> batch)
    {
        // The insert's spans belong to the first caller's trace and are linked from the others'.
        using var activity = JobsTelemetry.ActivitySource.StartActivity("insert jobs", ActivityKind.Internal, batch[0].Trace,
            links: batch.Skip(1).Select(p => new ActivityLink(p.Trace)));
        activity?.SetTag("jobplatform.jobs.count", batch.Count);
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var results = await scope.ServiceProvider.GetRequiredService<JobStore>()
                .InsertManyAsync(batch.Select(p => p.Job).ToArray(), CancellationToken.None);
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
        }
        catch (PostgresException e) when (batch.Count > 1)
        {
            // The server refused the batch, which was one transaction, so nothing of it was stored: one bad job
            // must not fail the others.
            _logger.LogDebug(e, "A batch of {Count} enqueues was refused; inserting them one by one.", batch.Count);
            // A batch of one is not retried again: its failure is that job's own.
            foreach (var pending in batch) await InsertBatchAsync([pending]);
        }
        catch (Exception e)
        {
            // No answer from the database (down, unreachable): trying each job alone would only wait longer.
            foreach (var pending in batch) pending.Done.TrySetException(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }

    private sealed class Pending(NewJob job, CancellationToken cancellationToken)
    {
        public NewJob Job { get; } = job;
        public CancellationToken CancellationToken { get; } = cancellationToken;

        /// <summary>The caller's trace (its enqueue span), taken on the caller's thread.</summary>
        public ActivityContext Trace { get; } = Activity.Current?.Context ?? default;

        // Callers continue on their own threads, not on the writer's.
        public TaskCompletionSource<(Guid Id, string? Queue)?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
