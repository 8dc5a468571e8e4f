using System.Diagnostics;
using System.Text.Json;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Storage;
using JobPlatform.Jobs.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace JobPlatform.Jobs.Client;

/// <summary>The PostgreSQL implementation of <see cref="IJobClient"/>.</summary>
internal sealed class JobClient(JobsDbContext db, JobStore store, JobsTelemetry telemetry) : IJobClient
{
    public async Task<Guid> EnqueueAsync(
        string type, string payloadJson, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EnqueueOptions();
        Validate(type, payloadJson, options);

        using var activity = telemetry.StartEnqueue(type, options.Queue);
        var id = Guid.CreateVersion7();
        // The enqueuing trace is stored so that the execution span can continue it on the worker.
        var traceParent = Activity.Current?.Id;
        var queue = await store.InsertAsync(
            id, type, payloadJson, options.Queue, options.Priority, options.MaxAttempts, options.RunAt, traceParent,
            cancellationToken);
        if (queue is null)
        {
            var known = await db.JobTypes.AsNoTracking().OrderBy(t => t.Name).Select(t => t.Name).ToListAsync(cancellationToken);
            throw new UnknownJobTypeException(type, known);
        }

        activity?.SetTag("jobplatform.job.id", id);
        telemetry.RecordEnqueued(type, queue);
        return id;
    }

    public async Task<JobInfo?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, cancellationToken);
        return job is null
            ? null
            : new JobInfo(job.Id, job.Type, job.Queue, JobStateNames.Parse(job.State), job.Priority, job.Payload,
                job.Attempt, job.MaxAttempts, job.CreatedAt, job.RunAt, job.StartedAt, job.FinishedAt, job.Error);
    }

    public async Task<IReadOnlyList<JobTypeInfo>> GetJobTypesAsync(CancellationToken cancellationToken = default) =>
        await db.JobTypes.AsNoTracking()
            .OrderBy(t => t.Name)
            .Select(t => new JobTypeInfo(t.Name, t.Queue, t.MaxAttempts, t.PayloadSchema, t.UpdatedAt))
            .ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<ServerInfo>> GetServersAsync(CancellationToken cancellationToken = default) =>
        await db.Servers.AsNoTracking()
            .OrderBy(s => s.Id)
            .Select(s => new ServerInfo(s.Id, s.Host, s.Queues, s.Concurrency, s.InFlight, s.Endpoint, s.StartedAt, s.HeartbeatAt))
            .ToListAsync(cancellationToken);

    private static void Validate(string type, string payloadJson, EnqueueOptions options)
    {
        if (!JobTypeNames.IsValid(type))
            throw new ArgumentException($"A job type is 1-100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit; got '{type}'.", nameof(type));
        if (options.Queue is not null && !JobTypeNames.IsValid(options.Queue))
            throw new ArgumentException($"A queue name is 1-100 characters of a-z, 0-9, '.', '_' or '-'; got '{options.Queue}'.", nameof(options));
        if (options.MaxAttempts is < 1 or > 100)
            throw new ArgumentException("MaxAttempts must be between 1 and 100.", nameof(options));

        try
        {
            using var document = JsonDocument.Parse(payloadJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ArgumentException("The payload must be a JSON object.", nameof(payloadJson));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The payload is not valid JSON: {e.Message}", nameof(payloadJson), e);
        }
    }
}
