using JobPlatform.Jobs.Resilience;
using JobPlatform.Jobs.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace JobPlatform.Jobs.Processing;

/// <summary>
/// Holds one connection that LISTENs for new jobs (waking the claim loop at once, so an idle server does not
/// wait for its next poll), for cancel requests (reaching a running handler within moments), and for continuations
/// committed in a caller's transaction (see <c>JobStore.AddInsert</c>). If the
/// connection drops it reconnects; the claim loop's polling covers the gap.
/// </summary>
public sealed partial class JobNotifier(
    IServiceScopeFactory scopeFactory,
    JobSignal signal,
    RunningJobs running,
    ILogger<JobNotifier> logger) : BackgroundService
{
    private NpgsqlConnection? _first;

    /// <summary>
    /// Listens before the claim loops start (hosted services start in order), so that no notification sent
    /// for the first jobs, such as a cancel, is missed. A failure here is not fatal: the loop retries.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _first = await ListenAsync(ListenConnectionString(), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogListenFailed(e);
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = ListenConnectionString();
        var failures = new FailureStreak(logger, "Listening for job notifications (polling covers the gap)", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = Interlocked.Exchange(ref _first, null) ?? await ListenAsync(connectionString, stoppingToken);
                failures.Succeeded();
                signal.Signal(); // anything enqueued while we were not listening
                while (!stoppingToken.IsCancellationRequested)
                    await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                await Task.Delay(failures.Failed(e), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<NpgsqlConnection> ListenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            connection.Notification += (_, e) => OnNotification(e.Channel, e.Payload);
            await connection.OpenAsync(cancellationToken);
            await using var listen = new NpgsqlCommand($"LISTEN {JobStore.EnqueuedChannel}; LISTEN {JobStore.CancelChannel}; LISTEN {JobStore.ContinuationChannel};", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public override void Dispose()
    {
        Interlocked.Exchange(ref _first, null)?.Dispose();
        base.Dispose();
    }

    private void OnNotification(string channel, string payload)
    {
        if (channel == JobStore.EnqueuedChannel) signal.Signal();
        else if (channel == JobStore.CancelChannel && Guid.TryParse(payload, out var id) && running.RequestCancel(id)) LogCancelRequested(id);
        // RequestCancel does not run the handler's cancellation callbacks on this (Npgsql's) thread.
        else if (channel == JobStore.ContinuationChannel && Guid.TryParse(payload, out var parent)) _ = ReleaseContinuationsAsync(parent);
    }

    /// <summary>Off Npgsql's thread; best effort, since the rescuer's sweep moves any continuation on later.</summary>
    private async Task ReleaseContinuationsAsync(Guid parent)
    {
        await Task.Yield();
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<JobStore>().ReleaseContinuationsAsync([parent], CancellationToken.None);
        }
        catch (Exception e)
        {
            LogContinuationsFailed(e, parent);
        }
    }

    private string ListenConnectionString()
    {
        using var scope = scopeFactory.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var builder = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString())
        {
            // A long-lived connection of its own, outside the pool, with keepalives so a dead peer is noticed.
            Pooling = false,
            KeepAlive = 15,
        };
        return builder.ConnectionString;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for job notifications failed; reconnecting (polling continues meanwhile)")]
    private partial void LogListenFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Moving on the continuations of job {JobId} failed; the rescuer's sweep will")]
    private partial void LogContinuationsFailed(Exception exception, Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancel requested for running job {JobId}")]
    private partial void LogCancelRequested(Guid jobId);
}
