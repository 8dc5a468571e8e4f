namespace JobPlatform.Jobs.Handlers;

/// <summary>At most <paramref name="Starts"/> starts in any window of <paramref name="Per"/>.</summary>
public sealed record RateLimit(int Starts, TimeSpan Per)
{
    public void Validate()
    {
        if (Starts < 1) throw new ArgumentException("A rate limit allows at least one start.", nameof(Starts));
        if (Per <= TimeSpan.Zero || Per > TimeSpan.FromDays(1)) throw new ArgumentException("A rate limit's interval is between 0 and one day.", nameof(Per));
    }
}
