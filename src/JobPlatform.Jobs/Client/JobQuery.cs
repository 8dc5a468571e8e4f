namespace JobPlatform.Jobs.Client;

/// <summary>
/// Filters for listing jobs, newest first. <see cref="Cursor"/> is the <see cref="JobPage.NextCursor"/> of
/// the page before; pages stay stable while jobs are added, because they are cut by id (time-ordered v7).
/// </summary>
public sealed record JobQuery
{
    public const int MaxLimit = 500;

    public JobState? State { get; init; }
    public string? Type { get; init; }
    public string? Queue { get; init; }
    public string? Tag { get; init; }

    /// <summary>Jobs enqueued with this unique key (the unfinished holder and any finished ones).</summary>
    public string? UniqueKey { get; init; }

    /// <summary>Continuations of this job.</summary>
    public Guid? ParentId { get; init; }

    /// <summary>Jobs of this batch.</summary>
    public Guid? BatchId { get; init; }

    /// <summary>
    /// Jobs created at or after this instant, by the database's clock. The window also bounds the ids searched (their
    /// v7 time, the enqueuing host's clock at the call) widened by an hour, so a job whose id and creation time are
    /// further apart may be missed (see <see cref="JobIds"/>).
    /// </summary>
    public DateTimeOffset? CreatedFrom { get; init; }

    /// <summary>Jobs created before this instant, by the database's clock (see <see cref="CreatedFrom"/>).</summary>
    public DateTimeOffset? CreatedTo { get; init; }
    public string? Cursor { get; init; }

    /// <summary>Jobs per page, 1 to <see cref="MaxLimit"/>.</summary>
    public int Limit { get; init; } = 50;
}
