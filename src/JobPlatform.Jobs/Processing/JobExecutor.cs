using System.Diagnostics;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Storage;
using JobPlatform.Jobs.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JobPlatform.Jobs.Processing;

/// <summary>Runs one claimed attempt in its own DI scope and records how it ended.</summary>
public sealed partial class JobExecutor(
    IServiceScopeFactory scopeFactory,
    JobTypeRegistry registry,
    JobsTelemetry telemetry,
    ILogger<JobExecutor> logger)
{
    /// <param name="shutdownToken">Cancelled when the server stops and the grace period is over.</param>
    public async Task ExecuteAsync(ClaimedJob job, CancellationToken shutdownToken)
    {
        using var activity = telemetry.StartExecution(job.Type, job.Queue, job.Id, job.Attempt, job.TraceParent);
        telemetry.RecordStarted(job.Type, job.Queue, job.StartedAt - job.RunAt);
        var clock = Stopwatch.StartNew();
        var error = await RunHandlerAsync(job, shutdownToken);
        clock.Stop();

        if (error is not null)
        {
            activity?.AddException(error);
            activity?.SetStatus(ActivityStatusCode.Error, error.Message);
        }

        // The outcome is recorded even while shutting down: the job must not stay claimed.
        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
        string recorded;
        if (error is null)
        {
            recorded = await store.CompleteAsync(job.Id, job.FencingToken, CancellationToken.None) ? "succeeded" : "stale";
        }
        else if (error is OperationCanceledException && shutdownToken.IsCancellationRequested)
        {
            recorded = await store.ReleaseAsync(job.Id, job.FencingToken, CancellationToken.None) ? "released" : "stale";
        }
        else
        {
            var retryable = error is not JobPayloadException and not UnknownHandlerException;
            var state = await store.FailAsync(
                job.Id, job.FencingToken, Describe(error), retryable, RetryBackoff.After(job.Attempt), CancellationToken.None);
            recorded = state switch
            {
                JobState.Scheduled => "retried",
                JobState.Failed => "failed",
                _ => "stale",
            };
        }

        telemetry.RecordFinished(job.Type, job.Queue, recorded is "stale" or "released" ? null : recorded, clock.Elapsed);
        if (recorded == "stale") LogStale(job.Id, job.FencingToken);
        else if (error is not null && recorded != "released") LogFailed(error, job.Id, job.Type, job.Attempt, recorded);
        else LogFinished(job.Id, job.Type, recorded, clock.Elapsed.TotalMilliseconds);
    }

    private async Task<Exception?> RunHandlerAsync(ClaimedJob job, CancellationToken cancellationToken)
    {
        try
        {
            if (!registry.TryGet(job.Type, out var definition))
                throw new UnknownHandlerException(job.Type);

            await using var scope = scopeFactory.CreateAsyncScope();
            var context = new JobContext(job.Id, job.Type, job.Queue, job.Attempt, job.MaxAttempts);
            await definition.Invoke(scope.ServiceProvider, job.Payload, context, cancellationToken);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static string Describe(Exception e) => $"{e.GetType().FullName}: {e.Message}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ({JobType}) {Outcome} in {ElapsedMs:F1} ms")]
    private partial void LogFinished(Guid jobId, string jobType, string outcome, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({JobType}) attempt {Attempt} failed; now {Outcome}")]
    private partial void LogFailed(Exception exception, Guid jobId, string jobType, int attempt, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: outcome refused, fencing token {Token} is stale (the lease expired and the job was rescued)")]
    private partial void LogStale(Guid jobId, long token);
}
