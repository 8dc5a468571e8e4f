using JobPlatform.Jobs.Resilience;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace JobPlatform.Tests.Reliability;

/// <summary>
/// Found by the explorer (seed 292 of the 1000-seed run): a worker stopped (SIGTERM) while it waited for a restarting
/// database crashed with 134 instead of exiting, because the failure of its in-flight start step, which came after
/// the stop, was rethrown as a database error rather than as the stop it was.
/// </summary>
public sealed class StartupRetryTests
{
    [Fact]
    public async Task A_database_failure_that_arrives_after_the_stop_ends_the_wait_as_a_stop()
    {
        using var stop = new CancellationTokenSource();

        var wait = StartupRetry.RunAsync(NullLogger.Instance, "Reaching the database", _ =>
        {
            stop.Cancel(); // the stop arrives while the step is in flight …
            throw new NpgsqlException("Exception while reading from stream", new EndOfStreamException()); // … and then the step fails
        }, stop.Token);

        var ended = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.IsType<NpgsqlException>(ended.InnerException);
    }

    [Fact]
    public async Task Any_other_error_still_stops_the_start_at_once()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            StartupRetry.RunAsync(NullLogger.Instance, "Reaching the database", _ => throw new InvalidOperationException("a wrong password"), CancellationToken.None));
    }
}
