using JobPlatform.Jobs.Storage;
using Microsoft.EntityFrameworkCore;

namespace JobPlatform.Jobs.Client;

/// <summary>Batches of jobs with a callback.</summary>
internal sealed partial class JobClient
{
    public async Task<BatchEnqueueResult> EnqueueBatchAsync(
        IEnumerable<BatchJob> jobs, BatchCallback? callback = null, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EnqueueOptions();
        if (options.UniqueKey is not null || options.ContinueAfter is not null)
            throw new JobValidationException("options", "Unique keys and continuations apply to single jobs, not to a batch.");
        var list = jobs.ToList();
        foreach (var job in list) Validate(job.Type, job.PayloadJson, options);
        if (callback is not null)
        {
            Validate(callback.Type, callback.PayloadJson, new EnqueueOptions { Queue = callback.Queue });
            // The callback must be runnable when the batch ends, so its type is checked now, not then.
            await RequireTypeAsync(callback.Type, cancellationToken);
        }

        var batch = new BatchRecord
        {
            Id = Guid.CreateVersion7(), Total = list.Count,
            CallbackType = callback?.Type, CallbackPayload = callback?.PayloadJson, CallbackQueue = callback?.Queue,
        };
        var ids = new List<Guid>(list.Count);
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await store.InsertBatchAsync(batch, cancellationToken);
            // One COPY per job type, all in the batch's transaction: the batch exists with all its jobs or not at all.
            foreach (var group in list.GroupBy(j => j.Type))
            {
                var rows = group.Select(j => (Id: Guid.CreateVersion7(), j.PayloadJson)).ToList();
                ids.AddRange(rows.Select(r => r.Id));
                var template = ToNewJob(Guid.Empty, group.Key, "{}", options) with { BatchId = batch.Id };
                var inserted = await store.CopyAsync(template, rows, cancellationToken)
                    ?? throw new UnknownJobTypeException(group.Key, await store.GetJobTypeNamesAsync(cancellationToken));
                telemetry.RecordEnqueued(group.Key, inserted.Queue, inserted.Count);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        if (list.Count == 0) await store.FinishBatchAsync(batch.Id, cancellationToken); // nothing to wait for
        return new BatchEnqueueResult(batch.Id, ids);
    }

    public async Task<BatchInfo?> GetBatchAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var batch = await db.Batches.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, cancellationToken);
        if (batch is null) return null;
        var counts = await store.CountBatchAsync(id, cancellationToken);
        int Count(params string[] states) => states.Sum(s => counts.GetValueOrDefault(s));
        return new BatchInfo(batch.Id, batch.Total,
            Count(JobStateNames.Scheduled, JobStateNames.Enqueued, JobStateNames.Awaiting), Count(JobStateNames.Processing),
            Count(JobStateNames.Succeeded), Count(JobStateNames.Failed), Count(JobStateNames.Cancelled),
            batch.CreatedAt, batch.FinishedAt, batch.CallbackJobId);
    }
}
