using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobPlatform.Jobs.Processing;

/// <summary>
/// Three times per lease: renews the leases of the jobs this server runs, so only a dead server's leases
/// expire, and records the server as alive (pruning servers silent for three leases).
/// </summary>
public sealed partial class ServerHeartbeat(
    IServiceScopeFactory scopeFactory,
    RunningJobs running,
    IServerEndpointSource endpoint,
    IOptions<ProcessingOptions> options,
    TimeProvider time,
    ILogger<ServerHeartbeat> logger) : BackgroundService
{
    private readonly ProcessingOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.LeaseDuration / 3, time);
        try
        {
            do
            {
                try
                {
                    await BeatAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogBeatFailed(e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<JobStore>().RemoveServerAsync(_options.ServerName, cancellationToken);
        }
        catch (Exception e)
        {
            // Not fatal: a server that cannot say goodbye is pruned after three leases.
            LogBeatFailed(e);
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
        // A cancel request whose notification was missed still reaches the handler here.
        foreach (var id in await store.RenewLeasesAsync(_options.ServerName, running.Ids, _options.LeaseDuration, cancellationToken))
            running.RequestCancel(id);
        await store.HeartbeatAsync(new ServerRecord
        {
            Id = _options.ServerName,
            Host = Environment.MachineName,
            Queues = _options.Queues,
            Concurrency = _options.Queues.Sum(_options.ConcurrencyOf),
            InFlight = running.Count,
            Endpoint = endpoint.GetEndpoint(),
        }, _options.LeaseDuration * 3, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Server heartbeat failed; retrying at the next beat")]
    private partial void LogBeatFailed(Exception exception);
}
