using System.Diagnostics;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Storage;
using JobPlatform.Jobs.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobPlatform.Jobs.Processing;

/// <summary>
/// Runs one claimed attempt in its own DI scope and records how it ended: succeeded, failed (retried
/// while attempts remain), timed out, cancelled on request, or given back because the server is stopping or
/// has lost the job's lease.
/// </summary>
public sealed partial class JobExecutor(
    IServiceScopeFactory scopeFactory,
    JobTypeRegistry registry,
    RunningJobs running,
    JobCompleter completer,
    JobsTelemetry telemetry,
    IOptions<ProcessingOptions> options,
    TimeProvider time,
    ILogger<JobExecutor> logger)
{
    private readonly string _server = options.Value.ServerName;
    private readonly TimeSpan _lease = options.Value.LeaseDuration;

    /// <param name="claimSentAt">When the claim that returned the job was sent (<see cref="TimeProvider.GetTimestamp"/>): its lease counts from there.</param>
    /// <param name="shutdownToken">Cancelled when the server stops and the grace period is over.</param>
    /// <param name="handlerFinished">Called when the handler has returned, before its outcome is recorded.</param>
    public async Task ExecuteAsync(ClaimedJob job, long claimSentAt, CancellationToken shutdownToken, Func<Task>? handlerFinished = null)
    {
        registry.TryGet(job.Type, out var definition);
        var timeout = job.Timeout ?? definition?.Options.Timeout;
        using var cancellation = new CancellationTokenSource();
        // Not a linked source: cancelling the shutdown token would run every handler's callbacks in turn on one thread,
        // and disposing a linked source waits for its cancellation if that thread is running it. The registration only
        // hands the cancel to a thread of its own.
        using var onShutdown = shutdownToken.UnsafeRegister(static source => CancelOffThreadPool.Start((CancellationTokenSource)source!), cancellation);
        // Enqueues refuse longer timeouts; a row written otherwise gets the longest a timer allows, not an exception.
        // Not CancelAfter: its timer would run the token's callbacks, which can block, on the thread pool.
        using var timeoutTimer = timeout is { } limit
            ? time.CreateTimer(static source => CancelOffThreadPool.Start((CancellationTokenSource)source!), cancellation,
                limit < Client.EnqueueLimits.MaxTimeout ? limit : Client.EnqueueLimits.MaxTimeout, Timeout.InfiniteTimeSpan)
            : null;
        var attempt = running.Add(job, cancellation, claimSentAt);
        try
        {
            using var activity = telemetry.StartExecution(job.Type, job.Queue, job.Id, job.Attempt, job.TraceParent);
            telemetry.RecordStarted(job.Type, job.Queue, job.StartedAt - job.RunAt);
            var clock = Stopwatch.StartNew();
            // The answer to a claim can come late (a network that held it): a lease about to run out, or already run
            // out and the job perhaps taken by another server, must not start its handler at all.
            var error = time.GetElapsedTime(claimSentAt) >= _lease - ServerHeartbeat.StopMargin(_lease) && running.LoseLease(attempt)
                ? new OperationCanceledException("The claim's lease was almost over before its handler could start (the claim's answer came late); the job is given back.")
                : await RunHandlerAsync(job, definition, cancellation.Token);
            clock.Stop();
            running.HandlerReturned(attempt);
            if (handlerFinished is not null) await handlerFinished();

            var outcome = await RecordAsync(job, attempt, definition, error, timeout, shutdownToken);
            await AfterOutcomeAsync(job, definition, outcome);
            if (error is not null && outcome is not "released")
            {
                activity?.AddException(error);
                activity?.SetStatus(ActivityStatusCode.Error, error.Message);
            }
            telemetry.RecordFinished(job.Type, job.Queue, outcome is "stale" or "released" ? null : outcome, clock.Elapsed);
            if (outcome == "stale") LogStale(job.Id, job.FencingToken);
            else if (error is not null && outcome is "failed" or "retried") LogFailed(error, job.Id, job.Type, job.Attempt, outcome);
            else LogFinished(job.Id, job.Type, outcome, clock.Elapsed.TotalMilliseconds);
        }
        finally
        {
            running.Remove(attempt);
        }
    }

    /// <summary>
    /// What a finished job owes others, best effort, in one scope: closing its batch if it was the last to finish
    /// (on failure the rescuer's sweep closes it later), and, for a type with a cluster-wide concurrency limit,
    /// waking the servers holding jobs back for the slot it freed (on failure they start at the next poll).
    /// </summary>
    private async Task AfterOutcomeAsync(ClaimedJob job, JobTypeDefinition? definition, string outcome)
    {
        var batch = outcome is "succeeded" or "failed" or "cancelled" ? job.BatchId : null;
        var freesSlot = definition?.Options.ConcurrencyLimit is not null && outcome is not "stale";
        if (batch is null && !freesSlot) return;

        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
        if (batch is { } id)
        {
            try
            {
                await store.FinishBatchAsync(id, CancellationToken.None);
            }
            catch (Exception e)
            {
                LogBatchCheckFailed(e, id);
            }
        }
        if (freesSlot)
        {
            try
            {
                await store.NotifyEnqueuedAsync(CancellationToken.None);
            }
            catch (Exception e)
            {
                LogNotifyFailed(e);
            }
        }
    }

    private async Task<Exception?> RunHandlerAsync(ClaimedJob job, JobTypeDefinition? definition, CancellationToken cancellationToken)
    {
        try
        {
            if (definition is null) throw new UnknownHandlerException(job.Type);

            await using var scope = scopeFactory.CreateAsyncScope();
            var context = new JobContext(job.Id, job.Type, job.Queue, job.Attempt, job.MaxAttempts, job.Tags,
                (percent, message, ct) => ReportProgressAsync(job, percent, message, ct))
            {
                FencingToken = job.FencingToken,
            };
            await definition.Invoke(scope.ServiceProvider, job.Payload, context, cancellationToken);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    /// <summary>Writes the outcome (even while shutting down: the job must not stay claimed); returns its name.</summary>
    private async Task<string> RecordAsync(
        ClaimedJob job, AttemptKey attempt, JobTypeDefinition? definition, Exception? error, TimeSpan? timeout, CancellationToken shutdownToken)
    {
        // Successes, the common case, go in batches; the rarer outcomes are written one by one.
        if (error is null) return await completer.CompleteAsync(job) ? "succeeded" : "stale";

        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
        var none = CancellationToken.None;

        if (running.WasCancelRequested(attempt))
            return await store.CancelledAsync(job.Id, job.FencingToken, _server, AttemptError.From("cancelled", error), none) ? "cancelled" : "stale";

        // Given back without spending the attempt; refused (stale) where another server has taken the job over.
        if (error is OperationCanceledException && (shutdownToken.IsCancellationRequested || running.WasLeaseLost(attempt)))
            return await store.ReleaseAsync(job.Id, job.FencingToken, _server, none) switch
            {
                JobState.Enqueued => "released",
                JobState.Cancelled => "cancelled", // a cancel request this server had not heard of
                _ => "stale",
            };

        var failure = error is OperationCanceledException && timeout is not null
            ? AttemptError.From("timed-out", new TimeoutException($"The attempt ran longer than its timeout of {timeout}.", error))
            : AttemptError.From("failed", error);
        var retryable = error is not JobPayloadException and not UnknownHandlerException;
        var delay = RetryBackoff.After(job.Attempt, job.RetryIntervals ?? definition?.Options.RetryIntervals);
        return await store.FailAsync(job.Id, job.FencingToken, _server, failure, retryable, delay, none) switch
        {
            JobState.Scheduled => "retried",
            JobState.Failed => "failed",
            JobState.Cancelled => "cancelled",
            _ => "stale",
        };
    }

    private async Task ReportProgressAsync(ClaimedJob job, int percent, string? message, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<JobStore>().ReportProgressAsync(job.Id, job.FencingToken, percent, message, cancellationToken);
    }

    // Debug: one line per job is noise at thousands of jobs a second (and costs the worker real CPU on a
    // console); failures are logged at Warning, and every outcome is in the metrics and the job's history.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} ({JobType}) {Outcome} in {ElapsedMs:F1} ms")]
    private partial void LogFinished(Guid jobId, string jobType, string outcome, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({JobType}) attempt {Attempt} failed; now {Outcome}")]
    private partial void LogFailed(Exception exception, Guid jobId, string jobType, int attempt, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: outcome refused, fencing token {Token} is stale (the lease expired and the job was rescued)")]
    private partial void LogStale(Guid jobId, long token);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking whether batch {BatchId} has finished failed; the rescuer's sweep will")]
    private partial void LogBatchCheckFailed(Exception exception, Guid batchId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waking servers after a limited job finished failed; they will poll")]
    private partial void LogNotifyFailed(Exception exception);
}
