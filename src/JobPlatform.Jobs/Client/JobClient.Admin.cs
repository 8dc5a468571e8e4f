using JobPlatform.Jobs.Storage;
using Microsoft.EntityFrameworkCore;

namespace JobPlatform.Jobs.Client;

/// <summary>Listing, retrying and deleting jobs; pausing queues; counting.</summary>
internal sealed partial class JobClient
{
    public async Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken = default)
    {
        if (query.Limit is < 1 or > JobQuery.MaxLimit)
            throw new JobValidationException("limit", $"limit must be between 1 and {JobQuery.MaxLimit}.");
        Guid? after = null;
        if (query.Cursor is not null)
            after = Guid.TryParse(query.Cursor, out var cursor) ? cursor : throw new JobValidationException("cursor", "cursor is not a cursor this api gave out.");

        var page = await ListQuery(db.Jobs.AsNoTracking(), query, after).ToListAsync(cancellationToken);
        var more = page.Count > query.Limit;
        if (more) page.RemoveAt(page.Count - 1);
        return new JobPage([.. page.Select(j => ToInfo(j, []))], more ? page[^1].Id.ToString() : null);
    }

    /// <summary>A page of the job list and one row more (whether there is a next page): newest first, after the cursor.</summary>
    internal static IQueryable<JobRecord> ListQuery(IQueryable<JobRecord> jobs, JobQuery query, Guid? after)
    {
        if (query.State is { } state) jobs = jobs.Where(j => j.State == state.ToName());
        if (query.Type is not null) jobs = jobs.Where(j => j.Type == query.Type);
        if (query.Queue is not null) jobs = jobs.Where(j => j.Queue == query.Queue);
        if (query.Tag is not null) jobs = jobs.Where(j => j.Tags.Contains(query.Tag));
        if (query.UniqueKey is not null) jobs = jobs.Where(j => j.UniqueKey == query.UniqueKey);
        if (query.ParentId is { } parent) jobs = jobs.Where(j => j.ParentId == parent);
        if (query.BatchId is { } batch) jobs = jobs.Where(j => j.BatchId == batch);
        // The times filter; the ids they imply (see JobIds) let the scan start and stop near them rather than walk
        // every newer or older job (4.4 s for failed jobs of one type in the last hour, at 10M jobs).
        if (query.CreatedFrom is { } from)
        {
            var first = JobIds.LowerBound(from);
            jobs = jobs.Where(j => j.CreatedAt >= from && j.Id.CompareTo(first) >= 0);
        }
        if (query.CreatedTo is { } to)
        {
            var end = JobIds.UpperBound(to);
            jobs = jobs.Where(j => j.CreatedAt < to && j.Id.CompareTo(end) < 0);
        }
        // Newest first by id: v7 ids grow with time, and a keyset cut by id stays stable as jobs arrive.
        if (after is { } last) jobs = jobs.Where(j => j.Id.CompareTo(last) < 0);
        return jobs.OrderByDescending(j => j.Id).Take(query.Limit + 1);
    }

    public async Task<IReadOnlyList<ThroughputPoint>> GetThroughputAsync(TimeSpan window, CancellationToken cancellationToken = default) =>
        [.. (await store.FinishedPerMinuteAsync(window, cancellationToken)).Select(m => new ThroughputPoint(m.Minute, m.Succeeded, m.Failed, m.Cancelled))];

    public async Task<RetryOutcome> RetryAsync(Guid id, CancellationToken cancellationToken = default) =>
        await store.RetryAsync(id, cancellationToken) switch
        {
            null => RetryOutcome.NotFound,
            JobStore.UniqueKeyTaken => RetryOutcome.UniqueKeyTaken,
            JobStateNames.Failed or JobStateNames.Cancelled => RetryOutcome.Retried,
            _ => RetryOutcome.NotRetryable,
        };

    public async Task<DeleteOutcome> DeleteAsync(Guid id, CancellationToken cancellationToken = default) =>
        await store.DeleteAsync(id, cancellationToken) switch
        {
            null => DeleteOutcome.NotFound,
            JobStore.Locked => DeleteOutcome.Locked,
            JobStateNames.Processing => DeleteOutcome.Running,
            _ => DeleteOutcome.Deleted,
        };

    public Task PauseQueueAsync(string queue, CancellationToken cancellationToken = default) => SetPausedAsync(queue, true, cancellationToken);

    public Task ResumeQueueAsync(string queue, CancellationToken cancellationToken = default) => SetPausedAsync(queue, false, cancellationToken);

    public async Task<IReadOnlyList<QueueStats>> GetQueuesAsync(CancellationToken cancellationToken = default) =>
        [.. (await store.CountByQueueAsync(cancellationToken))
            .GroupBy(r => r.Queue)
            .Select(g => new QueueStats(g.Key, g.First().Paused,
                g.Where(r => r.State is not null).ToDictionary(r => r.State!, r => r.Count)))];

    private Task SetPausedAsync(string queue, bool paused, CancellationToken cancellationToken)
    {
        if (!Handlers.JobTypeNames.IsValid(queue))
            throw new JobValidationException("queue", $"'{queue}' is not a queue name: 1-100 characters of a-z, 0-9, '.', '_' or '-'.");
        return store.SetQueuePausedAsync(queue, paused, cancellationToken);
    }
}
