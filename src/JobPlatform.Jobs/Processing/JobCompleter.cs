using System.Threading.Channels;
using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobPlatform.Jobs.Processing;

/// <summary>
/// Writes successful completions in batches: while one batch is being written, the next ones queue up and
/// go together, in one statement and one commit. Idle, a completion is written at once (no timer), so
/// batching costs no latency; under load it turns N commits into one.
/// </summary>
public sealed partial class JobCompleter(
    IServiceScopeFactory scopeFactory,
    IOptions<ProcessingOptions> options,
    ILogger<JobCompleter> logger) : IHostedService
{
    private const int MaxBatch = 1000;
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)];

    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private Task _loop = Task.CompletedTask;

    /// <summary>Queues a success; the task says whether it was written (false: the claim was no longer ours).</summary>
    public Task<bool> CompleteAsync(ClaimedJob job)
    {
        var pending = new Pending(job.Id, job.FencingToken, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.Writer.TryWrite(pending)) throw new InvalidOperationException("The completer has stopped.");
        return pending.Written.Task;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops after writing what is queued: it stops after the processor, whose jobs wait on it.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _pending.Writer.TryComplete();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var next)) batch.Add(next);
            await WriteAsync(batch);
        }
    }

    private async Task WriteAsync(List<Pending> batch)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var scope = scopeFactory.CreateAsyncScope();
                var written = await scope.ServiceProvider.GetRequiredService<JobStore>()
                    .CompleteManyAsync([.. batch.Select(p => (p.Id, p.FencingToken))], options.Value.ServerName, CancellationToken.None);
                foreach (var pending in batch) pending.Written.TrySetResult(written.Contains(pending.Id));
                return;
            }
            catch (Exception e) when (attempt < RetryDelays.Length)
            {
                LogRetrying(e, batch.Count);
                await Task.Delay(RetryDelays[attempt]);
            }
            catch (Exception e)
            {
                // The jobs stay claimed; their leases expire and the rescuer returns them to the queue.
                foreach (var pending in batch) pending.Written.TrySetException(e);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} completions failed; retrying")]
    private partial void LogRetrying(Exception exception, int count);

    private sealed record Pending(Guid Id, long FencingToken, TaskCompletionSource<bool> Written);
}
