using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Jobs.Scheduling;

/// <summary>The database's clock, for schedules (see <see cref="IScheduleClock"/>).</summary>
public sealed class DatabaseScheduleClock(IServiceScopeFactory scopeFactory) : IScheduleClock
{
    public async Task<DateTimeOffset> NowAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobStore>().DatabaseNowAsync(cancellationToken);
    }

    public bool IsDatabaseClock => true;
}
