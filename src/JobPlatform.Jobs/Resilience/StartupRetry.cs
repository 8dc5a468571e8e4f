using Microsoft.Extensions.Logging;

namespace JobPlatform.Jobs.Resilience;

/// <summary>
/// For the work a process does with the database as it starts (the schema, its job types, its schedules): while
/// the database cannot be reached (down, restarting, out of connections) it is tried again, less and less often,
/// instead of crashing the process; any other error (a wrong password, say) stops the start at once.
/// </summary>
public static class StartupRetry
{
    public static async Task RunAsync(ILogger logger, string what, Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        var streak = new FailureStreak(logger, what, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        while (true)
        {
            try
            {
                await step(cancellationToken);
                streak.Succeeded();
                return;
            }
            catch (Exception e) when (DatabaseUnavailable.Is(e) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(streak.Failed(e), cancellationToken);
            }
        }
    }
}
