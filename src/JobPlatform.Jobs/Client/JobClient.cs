using System.Diagnostics;
using System.Text.Json;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Scheduling;
using JobPlatform.Jobs.Storage;
using JobPlatform.Jobs.Telemetry;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace JobPlatform.Jobs.Client;

/// <summary>
/// The PostgreSQL implementation of <see cref="IJobClient"/>. It works on the scoped context's connection,
/// so an enqueue made while the caller's <c>DbContext</c> has a transaction open is part of that transaction.
/// </summary>
internal sealed partial class JobClient(
    JobsDbContext db, JobStore store, EnqueueCoalescer coalescer, JobsTelemetry telemetry, IScheduleClock scheduleClock) : IJobClient
{
    public Task<EnqueueResult> EnqueueAsync(
        string type, string payloadJson, EnqueueOptions? options = null, CancellationToken cancellationToken = default) =>
        EnqueueAsync(store, type, payloadJson, options, cancellationToken);

    public Task<EnqueueResult> EnqueueAsync(
        NpgsqlTransaction transaction, string type, string payloadJson, EnqueueOptions? options = null,
        CancellationToken cancellationToken = default) =>
        EnqueueAsync(JobStore.In(transaction), type, payloadJson, options, cancellationToken);

    private async Task<EnqueueResult> EnqueueAsync(
        JobStore target, string type, string payloadJson, EnqueueOptions? options, CancellationToken cancellationToken)
    {
        options ??= new EnqueueOptions();
        Validate(type, payloadJson, options);

        using var activity = telemetry.StartEnqueue(type, options.Queue);
        var job = ToNewJob(Guid.CreateVersion7(), type, payloadJson, options);
        // Independent jobs outside a transaction share commits with concurrent callers; the rest go alone.
        (Guid Id, string? Queue)? inserted = job.UniqueKey is null && job.ParentId is null && !target.InTransaction
            ? await coalescer.InsertAsync(job, cancellationToken)
            : await target.InsertAsync(job, cancellationToken);
        if (inserted is not { } result)
            throw new UnknownJobTypeException(type, await target.GetJobTypeNamesAsync(cancellationToken));

        var created = result.Queue is not null;
        activity?.SetTag("jobplatform.job.id", result.Id);
        activity?.SetTag("jobplatform.job.created", created);
        if (created) telemetry.RecordEnqueued(type, result.Queue!);
        return new EnqueueResult(result.Id, created);
    }

    public Task<IReadOnlyList<Guid>> EnqueueManyAsync(
        string type, IEnumerable<string> payloadsJson, EnqueueOptions? options = null, CancellationToken cancellationToken = default) =>
        EnqueueManyAsync(type, payloadsJson.ToAsyncEnumerable(), options, cancellationToken);

    public async Task<IReadOnlyList<Guid>> EnqueueManyAsync(
        string type, IAsyncEnumerable<string> payloadsJson, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EnqueueOptions();
        if (options.UniqueKey is not null || options.ContinueAfter is not null)
            throw new JobValidationException("uniqueKey", "Unique keys and continuations apply to single jobs; enqueue them one by one.");
        Validate(type, "{}", options);

        using var activity = telemetry.StartEnqueue(type, options.Queue);
        var ids = new List<Guid>();
        var rows = payloadsJson.Select(payload =>
        {
            ValidatePayload(payload);
            var id = Guid.CreateVersion7();
            ids.Add(id);
            return (id, payload);
        });
        var template = ToNewJob(Guid.Empty, type, "{}", options);
        var inserted = await store.CopyAsync(template, rows, cancellationToken)
            ?? throw new UnknownJobTypeException(type, await store.GetJobTypeNamesAsync(cancellationToken));

        activity?.SetTag("jobplatform.jobs.count", inserted.Count);
        telemetry.RecordEnqueued(type, inserted.Queue, inserted.Count);
        return ids;
    }

    public async Task<JobInfo?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, cancellationToken);
        if (job is null) return null;
        var attempts = await db.Attempts.AsNoTracking().Where(a => a.JobId == id).OrderBy(a => a.Attempt).ThenBy(a => a.FencingToken)
            .Select(a => new JobAttemptInfo(a.Attempt, a.Server, a.StartedAt, a.FinishedAt, a.Outcome, a.ErrorType, a.ErrorMessage, a.StackTrace))
            .ToListAsync(cancellationToken);
        return ToInfo(job, attempts);
    }

    private static JobInfo ToInfo(JobRecord job, IReadOnlyList<JobAttemptInfo> attempts) =>
        new(job.Id, job.Type, job.Queue, JobStateNames.Parse(job.State), job.Priority, job.Payload,
            job.Attempt, job.MaxAttempts, job.CreatedAt, job.RunAt, job.StartedAt, job.FinishedAt, job.Error)
        {
            UniqueKey = job.UniqueKey,
            Tags = job.Tags,
            Timeout = job.Timeout,
            ProgressPercent = job.ProgressPercent,
            ProgressMessage = job.ProgressMessage,
            CancelRequestedAt = job.CancelRequestedAt,
            Rescues = job.Rescues,
            MaxRescues = job.MaxRescues,
            BatchId = job.BatchId,
            ParentId = job.ParentId,
            Attempts = attempts,
            TraceParent = job.TraceParent,
        };

    public async Task<CancelOutcome> CancelAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var outcome = await store.CancelAsync(id, "Cancelled on request.", cancellationToken) switch
        {
            null => CancelOutcome.NotFound,
            ({ } previous, _) when previous is JobState.Succeeded or JobState.Failed or JobState.Cancelled => CancelOutcome.AlreadyFinished,
            (JobState.Processing, _) => CancelOutcome.CancellationRequested,
            _ => CancelOutcome.Cancelled,
        };
        // A waiting job cancelled here may have been the last unfinished one of its batch.
        if (outcome == CancelOutcome.Cancelled
            && await db.Jobs.AsNoTracking().Where(j => j.Id == id).Select(j => j.BatchId).SingleOrDefaultAsync(cancellationToken) is { } batch)
            await store.FinishBatchAsync(batch, cancellationToken);
        return outcome;
    }

    public async Task<IReadOnlyList<JobTypeInfo>> GetJobTypesAsync(CancellationToken cancellationToken = default) =>
        await db.JobTypes.AsNoTracking()
            .OrderBy(t => t.Name)
            .Select(t => new JobTypeInfo(t.Name, t.Queue, t.MaxAttempts, t.PayloadSchema, t.UpdatedAt)
            {
                ConcurrencyLimit = t.ConcurrencyLimit, RateLimit = t.RateLimit, RateInterval = t.RateInterval,
            })
            .ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<ServerInfo>> GetServersAsync(CancellationToken cancellationToken = default) =>
        await db.Servers.AsNoTracking()
            .OrderBy(s => s.Id)
            .Select(s => new ServerInfo(s.Id, s.Host, s.Queues, s.Concurrency, s.InFlight, s.Endpoint, s.StartedAt, s.HeartbeatAt))
            .ToListAsync(cancellationToken);

    private static NewJob ToNewJob(Guid id, string type, string payloadJson, EnqueueOptions options) => new(id, type, payloadJson)
    {
        Queue = options.Queue,
        Priority = options.Priority,
        MaxAttempts = options.MaxAttempts,
        MaxRescues = options.MaxRescues,
        RunAt = options.RunAt,
        Delay = options.Delay,
        // The enqueuing trace is stored so that the execution span can continue it on the worker.
        TraceParent = Activity.Current?.Id,
        UniqueKey = options.UniqueKey,
        Tags = options.Tags is null ? [] : [.. options.Tags.Distinct()],
        Timeout = options.Timeout,
        RetryIntervals = options.RetryIntervals is null ? null : [.. options.RetryIntervals],
        ParentId = options.ContinueAfter,
        ContinueOn = options.ContinueAfter is null ? null : options.ContinueOn switch
        {
            ContinuationCondition.OnSuccess => JobStateNames.Succeeded,
            ContinuationCondition.OnFailure => JobStateNames.Failed,
            _ => "always",
        },
    };

    private static void Validate(string type, string payloadJson, EnqueueOptions options)
    {
        if (!JobTypeNames.IsValid(type))
            throw new JobValidationException("type", $"A job type is 1-100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit; got '{type}'.");
        if (options.Queue is not null && !JobTypeNames.IsValid(options.Queue))
            throw new JobValidationException("queue", $"A queue name is 1-100 characters of a-z, 0-9, '.', '_' or '-'; got '{options.Queue}'.");
        if (options.MaxAttempts is < 1 or > EnqueueLimits.MaxAttempts)
            throw new JobValidationException("maxAttempts", $"MaxAttempts must be between 1 and {EnqueueLimits.MaxAttempts}.");
        if (options.MaxRescues is < 0 or > EnqueueLimits.MaxRescues)
            throw new JobValidationException("maxRescues", $"MaxRescues must be between 0 and {EnqueueLimits.MaxRescues}.");
        if (options.UniqueKey is { } key && !EnqueueLimits.IsValidKey(key))
            throw new JobValidationException("uniqueKey", $"A unique key is 1 to {EnqueueLimits.MaxKeyLength} characters, without U+0000.");
        if (options.Tags is { } tags && !EnqueueLimits.AreValidTags(tags))
            throw new JobValidationException("tags", $"At most {EnqueueLimits.MaxTags} tags, each 1 to {EnqueueLimits.MaxKeyLength} characters, without U+0000.");
        if (options.Timeout is { } timeout && !EnqueueLimits.IsValidTimeout(timeout))
            throw new JobValidationException("timeout", EnqueueLimits.TimeoutRule);
        if (options.Delay is { } delay && delay < TimeSpan.Zero)
            throw new JobValidationException("delay", "A delay cannot be negative.");
        if (options.RetryIntervals is { } intervals && intervals.Any(i => i < TimeSpan.Zero))
            throw new JobValidationException("retryIntervals", "Retry intervals cannot be negative.");

        ValidatePayload(payloadJson);
    }

    private static void ValidatePayload(string payloadJson) => PayloadRules.Check(payloadJson);
}
