namespace JobPlatform.Jobs.Storage;

/// <summary>
/// The cluster-wide limits one server declared for a job type. Servers of different versions may disagree (a rolling
/// deploy); the strictest declaration of the servers alive is what <c>job_types</c> holds and every claim obeys.
/// A server's declarations are refreshed by its heartbeat and go when it stops or is pruned.
/// </summary>
public sealed class JobTypeDeclarationRecord
{
    public required string Type { get; set; }
    public required string Server { get; set; }
    public int? ConcurrencyLimit { get; set; }
    public int? RateLimit { get; set; }
    public TimeSpan? RateInterval { get; set; }
    public DateTimeOffset SeenAt { get; set; }
}
