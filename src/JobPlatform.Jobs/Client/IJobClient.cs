using JobPlatform.Jobs.Scheduling;
using Npgsql;

namespace JobPlatform.Jobs.Client;

/// <summary>Enqueues, inspects and cancels jobs. Scoped: it shares the caller's database context.</summary>
public interface IJobClient
{
    /// <summary>Enqueues a job of a registered type with a JSON payload.</summary>
    /// <exception cref="UnknownJobTypeException">No worker has registered <paramref name="type"/>.</exception>
    /// <exception cref="ArgumentException">The payload is not a JSON object, or an option is out of range.</exception>
    Task<EnqueueResult> EnqueueAsync(string type, string payloadJson, EnqueueOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Enqueues inside the caller's transaction: the job exists if and only if the transaction commits
    /// (the outbox pattern without an outbox). Workers see it, and are notified, only after the commit.
    /// </summary>
    Task<EnqueueResult> EnqueueAsync(NpgsqlTransaction transaction, string type, string payloadJson, EnqueueOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Enqueues many jobs of one type in one call, with PostgreSQL's binary COPY (100,000 in well under a
    /// second). The options apply to every job; a unique key is not allowed here. Returns the ids in order.
    /// </summary>
    Task<IReadOnlyList<Guid>> EnqueueManyAsync(string type, IEnumerable<string> payloadsJson, EnqueueOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// As above, reading the payloads as they arrive (from a request body, say) straight into the COPY; an
    /// exception from <paramref name="payloadsJson"/> aborts it, and none of the jobs is enqueued.
    /// </summary>
    Task<IReadOnlyList<Guid>> EnqueueManyAsync(string type, IAsyncEnumerable<string> payloadsJson, EnqueueOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>The job with its attempt history, or null.</summary>
    Task<JobInfo?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Cancels a waiting job at once; asks the server running a running job to cancel its handler.</summary>
    Task<CancelOutcome> CancelAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Jobs newest first, filtered, one page at a time (attempt histories are left out).</summary>
    /// <exception cref="ArgumentException">The limit is out of range or the cursor is not one this client gave out.</exception>
    Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken = default);

    /// <summary>Enqueues a failed or cancelled job again, now, with one more attempt allowed.</summary>
    /// <summary>Jobs that finished in each minute of the last <paramref name="window"/>, by outcome (minutes with none left out).</summary>
    Task<IReadOnlyList<ThroughputPoint>> GetThroughputAsync(TimeSpan window, CancellationToken cancellationToken = default);

    Task<RetryOutcome> RetryAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Deletes a job that is not running, with its history.</summary>
    Task<DeleteOutcome> DeleteAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Stops every server claiming from the queue until it is resumed; its jobs wait, enqueued.</summary>
    Task PauseQueueAsync(string queue, CancellationToken cancellationToken = default);

    Task ResumeQueueAsync(string queue, CancellationToken cancellationToken = default);

    /// <summary>Every queue with jobs or paused: its job counts by state, and whether it is paused.</summary>
    Task<IReadOnlyList<QueueStats>> GetQueuesAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<JobTypeInfo>> GetJobTypesAsync(CancellationToken cancellationToken = default);

    /// <summary>The processing servers, as their last heartbeats describe them; a server silent for three leases is pruned.</summary>
    Task<IReadOnlyList<ServerInfo>> GetServersAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Enqueues a set of jobs as one batch (all or none, binary COPY per job type) with an optional callback
    /// job, enqueued once when every job of the batch has finished, however they ended.
    /// </summary>
    /// <exception cref="UnknownJobTypeException">No worker has registered a job's or the callback's type.</exception>
    Task<BatchEnqueueResult> EnqueueBatchAsync(IEnumerable<BatchJob> jobs, BatchCallback? callback = null, EnqueueOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>A batch's progress, or null.</summary>
    Task<BatchInfo?> GetBatchAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Creates a recurring schedule at run time; its first occurrence is the first after now.</summary>
    /// <exception cref="DuplicateScheduleException">A schedule of that name exists.</exception>
    /// <exception cref="UnknownJobTypeException">No worker has registered the schedule's job type.</exception>
    /// <exception cref="ArgumentException">The cron expression, time zone, payload or an option is not valid.</exception>
    Task<ScheduleInfo> CreateScheduleAsync(ScheduleDefinition definition, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a schedule's definition; a new cron expression or time zone restarts its occurrences from now.
    /// Null when there is no such schedule. A schedule declared in a worker's code is set back to the code's
    /// definition when that worker next starts.
    /// </summary>
    Task<ScheduleInfo?> UpdateScheduleAsync(ScheduleDefinition definition, CancellationToken cancellationToken = default);

    /// <summary>Stops firing a schedule until it is resumed; false when there is no such schedule.</summary>
    Task<bool> PauseScheduleAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Fires a paused schedule again from its first occurrence after now (what fell in the pause is not caught up).</summary>
    Task<bool> ResumeScheduleAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes a schedule (its jobs stay); a schedule declared in code comes back when its worker starts.</summary>
    Task<bool> DeleteScheduleAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Enqueues the schedule's job now, outside its occurrences; null when there is no such schedule.</summary>
    Task<EnqueueResult?> TriggerScheduleAsync(string name, CancellationToken cancellationToken = default);

    Task<ScheduleInfo?> GetScheduleAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every schedule with its next five occurrences and how its last one went.</summary>
    Task<IReadOnlyList<ScheduleInfo>> GetSchedulesAsync(CancellationToken cancellationToken = default);
}
