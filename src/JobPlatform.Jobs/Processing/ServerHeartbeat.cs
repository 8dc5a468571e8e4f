using JobPlatform.Jobs.Maintenance;
using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
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
    ILogger<ServerHeartbeat> logger) : PeriodicService(time, logger)
{
    private readonly ProcessingOptions _options = options.Value;

    protected override TimeSpan Interval => _options.LeaseDuration / 3;

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
            LogGoodbyeFailed(e);
        }
    }

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removing this server from the server list failed; it will be pruned")]
    private partial void LogGoodbyeFailed(Exception exception);
}
