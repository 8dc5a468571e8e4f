namespace JobPlatform.Jobs.Scheduling;

/// <summary>
/// The time schedules are computed and fired by. It is the database's clock (<see cref="DatabaseScheduleClock"/>), the
/// one every node shares, like every other time the engine keeps: a leader whose own clock runs fast or slow must
/// neither fire early nor take on-time occurrences for missed ones. Tests put a clock of their own in its place.
/// </summary>
public interface IScheduleClock
{
    Task<DateTimeOffset> NowAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether <see cref="NowAsync"/> reads the database's clock, so that a time a statement read from it may stand
    /// in for a call (an idle scheduler then spends one round trip a tick, not two).
    /// </summary>
    bool IsDatabaseClock => false;
}
