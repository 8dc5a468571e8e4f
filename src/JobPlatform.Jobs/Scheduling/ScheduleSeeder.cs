using JobPlatform.Jobs.Resilience;
using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JobPlatform.Jobs.Scheduling;

/// <summary>
/// Stores the schedules this worker declares in code (<c>AddSchedule</c>) when it starts: new ones are
/// inserted, changed ones updated, and several workers starting at once still leave one row each. Waits for a
/// database that cannot be reached (see <see cref="StartupRetry"/>).
/// </summary>
public sealed class ScheduleSeeder(
    IServiceScopeFactory scopeFactory, IEnumerable<DeclaredSchedule> declared, IScheduleClock clock, ILogger<ScheduleSeeder> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var declarations = declared.ToList();
        return declarations.Count == 0 ? Task.CompletedTask
            : StartupRetry.RunAsync(logger, "Reaching the database to store this worker's schedules", ct => SeedAsync(declarations, ct), cancellationToken);
    }

    private async Task SeedAsync(List<DeclaredSchedule> declarations, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
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
