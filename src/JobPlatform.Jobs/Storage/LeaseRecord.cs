namespace JobPlatform.Jobs.Storage;

/// <summary>
/// A named lease one server holds at a time (the scheduler's leadership). <see cref="Term"/> grows each time
/// the lease changes hands, so a former holder can tell that it lost it.
/// </summary>
public sealed class LeaseRecord
{
    public required string Name { get; set; }
    public required string Holder { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public long Term { get; set; }
}
