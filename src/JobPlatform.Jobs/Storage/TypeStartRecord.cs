namespace JobPlatform.Jobs.Storage;

/// <summary>
/// One start of a job whose type has a rate limit: the log a sliding window counts. Rows older than the
/// type's interval are deleted by the next claim of that type.
/// </summary>
public sealed class TypeStartRecord
{
    public long Id { get; set; }
    public required string Type { get; set; }
    public DateTimeOffset StartedAt { get; set; }
}
