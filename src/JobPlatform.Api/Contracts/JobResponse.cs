using System.Text.Json;
using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;

namespace JobPlatform.Api.Contracts;

/// <summary>A job, the state of its latest attempt and its history. <c>state</c> is lower-case: scheduled,
/// enqueued, processing, succeeded, failed, cancelled or awaiting. <c>rescues</c> counts the times its worker was lost
/// (the lease ran out) and it was run again without spending an attempt; <c>maxRescues</c> is its budget.</summary>
public sealed record JobResponse(
    Guid Id,
    string Type,
    string Queue,
    string State,
    int Priority,
    JsonElement Payload,
    int Attempt,
    int MaxAttempts,
    int Rescues,
    int MaxRescues,
    DateTimeOffset CreatedAt,
    DateTimeOffset RunAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    int? ProgressPercent,
    string? ProgressMessage,
    string? UniqueKey,
    IReadOnlyList<string> Tags,
    Guid? BatchId,
    Guid? ParentId,
    IReadOnlyList<JobAttemptInfo> Attempts)
{
    public static JobResponse From(JobInfo job) => new(
        job.Id, job.Type, job.Queue, job.State.ToName(), job.Priority, JsonSerializer.Deserialize<JsonElement>(job.Payload),
        job.Attempt, job.MaxAttempts, job.Rescues, job.MaxRescues, job.CreatedAt, job.RunAt, job.StartedAt, job.FinishedAt, job.Error,
        job.ProgressPercent, job.ProgressMessage, job.UniqueKey, job.Tags, job.BatchId, job.ParentId, job.Attempts);
}
