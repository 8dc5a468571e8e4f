using Microsoft.Extensions.Logging;

namespace JobPlatform.Jobs.Resilience;

/// <summary>
/// For the work a process does with the database as it starts (the schema, its job types, its schedules): while
/// the database cannot be reached (down, restarting, out of connections) it is tried again, less and less often,
/// instead of crashing the process; any other error (a wrong password, say) stops the start at once.
/// </summary>
public static class StartupRetry
{
    /// <summary>
    /// The longest wait between two tries. Short, because a process that waits here does no work at all: with 10 s
    /// a worker started during a restart came up several seconds after the database (the explorer saw a schedule's
    /// new leader miss 8 s of occurrences), and a try every 2 s while the database is away costs one failed connect.
    /// </summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(ILogger logger, string what, Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        var streak = new FailureStreak(logger, what, TimeSpan.FromSeconds(1), MaxDelay);
        while (true)
        {
            try
            {
                await step(cancellationToken);
                streak.Succeeded();
                return;
            }
            catch (Exception e) when (DatabaseUnavailable.Is(e))
            {
                // Stopped while the step was under way: whatever the step ran into after that, this is a stop, which
                // the host ends cleanly, not a database error that crashes the process (explorer seed 292).
                if (cancellationToken.IsCancellationRequested)
                    throw new OperationCanceledException($"{what}: stopped while waiting for the database.", e, cancellationToken);
                await Task.Delay(streak.Failed(e), cancellationToken);
            }
        }
    }
}
