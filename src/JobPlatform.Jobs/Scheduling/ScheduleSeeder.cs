using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace JobPlatform.Jobs.Scheduling;

/// <summary>
/// Stores the schedules this worker declares in code (<c>AddSchedule</c>) when it starts: new ones are
/// inserted, changed ones updated, and several workers starting at once still leave one row each.
/// </summary>
public sealed class ScheduleSeeder(IServiceScopeFactory scopeFactory, IEnumerable<DeclaredSchedule> declared, IScheduleClock clock) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
        var declarations = declared.ToList();
        if (declarations.Count == 0) return;
        var now = await clock.NowAsync(cancellationToken);
        foreach (var schedule in declarations)
        {
            var cron = ScheduleValidation.Validate(schedule.Definition);
            var next = cron.Next(now)
                ?? throw new InvalidOperationException($"Schedule '{schedule.Definition.Name}' ('{schedule.Definition.Cron}') never fires.");
            await store.UpsertScheduleAsync(schedule.Definition, next, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
