using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Resilience;
using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobPlatform.Jobs.Processing;

/// <summary>
/// The claim loops, one per queue, each with its own concurrency: while there are free slots, a loop claims
/// as many due jobs as there are slots, in one statement, and runs each on the thread pool. Idle, it sleeps
/// until <see cref="JobNotifier"/> signals new jobs, or for at most <see cref="ProcessingOptions.PollInterval"/>
/// (due retries and scheduled jobs).
/// </summary>
public sealed partial class JobProcessor(
    IServiceScopeFactory scopeFactory,
    JobTypeRegistry registry,
    JobExecutor executor,
    JobSignal signal,
    IOptions<ProcessingOptions> options,
    TimeProvider time,
    ILogger<JobProcessor> logger) : BackgroundService
{
    private readonly ProcessingOptions _options = options.Value;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly List<Task> _tasks = [];

    /// <summary>
    /// How often a claim loop's claim also promotes the queue's scheduled jobs that have come due (delayed jobs,
    /// retries): at most every quarter second, or every poll where polls are more frequent. Promoting on every claim
    /// cost a claim woken by an enqueue a sixth of its time (0.13 ms of an idle claim's 0.8 ms), for nothing. A job
    /// that comes due is promoted within this interval while the loop claims; while it idles, by the next poll as
    /// before, as a loop that goes idle after a claim that did not promote wakes when the next promotion is due.
    /// </summary>
    private TimeSpan PromotionInterval => _options.PollInterval < MaxPromotionInterval ? _options.PollInterval : MaxPromotionInterval;

    private static readonly TimeSpan MaxPromotionInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest a claim loop waits between tries while the database stays unreachable.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // One streak for all the outcome writes that fail: during an outage every running job's fails at once.
    private readonly FailureStreak _recordFailures = new(
        logger, "Recording job outcomes (the jobs' leases expire and they are rescued)", options.Value.PollInterval, MaxBackoff);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string[] types = [.. registry.All.Select(d => d.Name)];
        if (types.Length == 0)
        {
            LogNoTypes();
            return Task.CompletedTask;
        }

        LogStarted(_options.ServerName, string.Join(", ", _options.Queues.Select(q => $"{q} ({_options.ConcurrencyOf(q)})")));
        return Task.WhenAll(_options.Queues.Select(queue => RunQueueAsync(queue, _options.ConcurrencyOf(queue), types, stoppingToken)));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Task[] pending;
        lock (_tasks) pending = [.. _tasks];
        if (pending.Length == 0) return;

        LogDraining(pending.Length, _options.ShutdownGrace.TotalSeconds);
        var all = Task.WhenAll(pending);
        if (await Task.WhenAny(all, Task.Delay(_options.ShutdownGrace, cancellationToken)) != all)
        {
            // Out of grace: cancel the handlers (each on a thread of its own, see JobExecutor); the executor gives their
            // jobs back for others to take.
            await _shutdown.CancelAsync();
            await all.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public override void Dispose()
    {
        _shutdown.Dispose();
        base.Dispose();
    }

    private async Task RunQueueAsync(string queue, int concurrency, string[] types, CancellationToken stoppingToken)
    {
        // Not disposed: running jobs release their slot after this loop has ended.
        var slots = new SemaphoreSlim(concurrency, concurrency);
        // A job whose handler has returned gives its slot to the next claim while its outcome is written, so
        // claims and outcome writes overlap instead of taking turns; at most `concurrency` jobs wait for
        // their outcome at a time, which bounds what a slow database can pile up.
        var recording = new SemaphoreSlim(concurrency, concurrency);
        var claimFailures = new FailureStreak(logger, $"Claiming jobs from queue {queue}", _options.PollInterval, MaxBackoff);
        long? lastPromotion = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(stoppingToken);
                // Let the other jobs of a completed batch give back their slots, so one claim takes them all.
                await Task.Yield();
                var free = 1;
                while (free < concurrency && slots.Wait(0)) free++;

                var wake = signal.Next;
                var claimSentAt = time.GetTimestamp();
                var promote = lastPromotion is not { } last || time.GetElapsedTime(last, claimSentAt) >= PromotionInterval;
                IReadOnlyList<ClaimedJob> claimed;
                TimeSpan? retryAfter;
                try
                {
                    (claimed, retryAfter) = await ClaimAsync(queue, types, free, promote, stoppingToken);
                    if (promote) lastPromotion = claimSentAt;
                }
                catch
                {
                    slots.Release(free); // a failed claim must not leak the slots it held
                    throw;
                }
                claimFailures.Succeeded();
                if (free > claimed.Count) slots.Release(free - claimed.Count);
                foreach (var job in claimed) Start(job, claimSentAt, slots, recording);

                // Idle: sleep until a NOTIFY says jobs were enqueued (or a limited job finished), until the
                // next poll, or until a rate limit's window lets the next job start. After a claim that did not
                // promote, no longer than until the next promotion: a job that came due meanwhile waits no longer
                // than it would have had this claim promoted (at most a poll).
                if (claimed.Count == 0)
                {
                    var wait = retryAfter < _options.PollInterval ? retryAfter.Value : _options.PollInterval;
                    if (!promote && lastPromotion is { } promotedAt && PromotionInterval - time.GetElapsedTime(promotedAt) is var untilPromotion
                        && untilPromotion < wait)
                        wait = untilPromotion > TimeSpan.Zero ? untilPromotion : TimeSpan.Zero;
                    await JobSignal.WaitAsync(wake, wait, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The database may be unreachable for a while; keep the server alive and try again, less often.
                await Task.Delay(claimFailures.Failed(e), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>
    /// Claims for one queue, highest priority first across every type this server runs; the cluster-wide limits
    /// are those the database holds, whatever this server declared (see <see cref="JobStore.ClaimDueAsync"/>).
    /// </summary>
    private async Task<(IReadOnlyList<ClaimedJob> Jobs, TimeSpan? RetryAfter)> ClaimAsync(
        string queue, string[] types, int limit, bool promote, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobStore>()
            .ClaimDueAsync(_options.ServerName, queue, types, limit, _options.LeaseDuration, promote, cancellationToken);
    }

    private void Start(ClaimedJob job, long claimSentAt, SemaphoreSlim slots, SemaphoreSlim recording)
    {
        var task = Task.Run(async () =>
        {
            var slotGiven = false;
            try
            {
                await executor.ExecuteAsync(job, claimSentAt, _shutdown.Token, async () =>
                {
                    await recording.WaitAsync(CancellationToken.None);
                    slots.Release();
                    slotGiven = true;
                });
                _recordFailures.Succeeded();
            }
            catch (Exception e)
            {
                // Recording the outcome failed; the lease will expire and the rescuer returns the job.
                _recordFailures.Failed(e);
            }
            finally
            {
                if (slotGiven) recording.Release();
                else slots.Release();
            }
        });
        lock (_tasks) _tasks.Add(task);
        _ = task.ContinueWith(t => { lock (_tasks) _tasks.Remove(t); }, TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No job types are registered; this server will not process jobs")]
    private partial void LogNoTypes();

    [LoggerMessage(Level = LogLevel.Information, Message = "Server {ServerName} processing queues {Queues}")]
    private partial void LogStarted(string serverName, string queues);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: waiting up to {GraceSeconds} s for {Count} running jobs")]
    private partial void LogDraining(int count, double graceSeconds);
}
