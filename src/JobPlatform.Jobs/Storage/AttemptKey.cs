namespace JobPlatform.Jobs.Storage;

/// <summary>
/// One claim of a job: the job and the fencing token its claim took. A server may hold two claims of one job at a
/// time — an old attempt whose lease it lost, and a new one after the job was rescued — and they are kept apart.
/// </summary>
public readonly record struct AttemptKey(Guid JobId, long FencingToken);
