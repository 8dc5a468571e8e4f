using JobPlatform.Jobs.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace JobPlatform.Jobs.Processing;

/// <summary>
/// Holds one connection that LISTENs for new jobs (waking the claim loop at once, so an idle server does not
/// wait for its next poll) and for cancel requests (reaching a running handler within moments). If the
/// connection drops it reconnects; the claim loop's polling covers the gap.
/// </summary>
public sealed partial class JobNotifier(
    IServiceScopeFactory scopeFactory,
    JobSignal signal,
    RunningJobs running,
    ILogger<JobNotifier> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = ListenConnectionString();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, e) => OnNotification(e.Channel, e.Payload);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {JobStore.EnqueuedChannel}; LISTEN {JobStore.CancelChannel};", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
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
                LogListenFailed(e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private void OnNotification(string channel, string payload)
    {
        if (channel == JobStore.EnqueuedChannel) signal.Signal();
        else if (channel == JobStore.CancelChannel && Guid.TryParse(payload, out var id) && running.RequestCancel(id)) LogCancelRequested(id);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancel requested for running job {JobId}")]
    private partial void LogCancelRequested(Guid jobId);
}
