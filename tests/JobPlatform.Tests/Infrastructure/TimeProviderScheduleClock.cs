using JobPlatform.Jobs.Scheduling;

namespace JobPlatform.Tests.Infrastructure;

/// <summary>Schedules on a clock the test controls (a FakeTimeProvider), in place of the database's.</summary>
public sealed class TimeProviderScheduleClock(TimeProvider time) : IScheduleClock
{
    public Task<DateTimeOffset> NowAsync(CancellationToken cancellationToken) => Task.FromResult(time.GetUtcNow());
}
