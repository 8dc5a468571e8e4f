using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobPlatform.Jobs.Processing;

/// <summary>Renews the leases of running jobs three times per lease, so only a dead server's leases expire.</summary>
public sealed partial class LeaseHeartbeat(
    IServiceScopeFactory scopeFactory,
    RunningJobs running,
    IOptions<ProcessingOptions> options,
    TimeProvider time,
    ILogger<LeaseHeartbeat> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.LeaseDuration / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopeFactory.CreateAsyncScope();
                    var store = scope.ServiceProvider.GetRequiredService<JobStore>();
                    await store.RenewLeasesAsync(settings.ServerName, running.Ids, settings.LeaseDuration, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRenewFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing job leases failed; retrying at the next beat")]
    private partial void LogRenewFailed(Exception exception);
}
