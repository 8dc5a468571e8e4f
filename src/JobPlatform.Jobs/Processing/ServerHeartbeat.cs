using JobPlatform.Jobs.Maintenance;
using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobPlatform.Jobs.Processing;

/// <summary>
/// Three times per lease: renews the leases of the jobs this server runs, so only a dead server's leases
/// expire, and records the server as alive (pruning servers silent for three leases). A job whose lease this
/// server has lost — taken over by another server after a pause, or run out because no renewal got through for a
/// whole lease (the database away, the network cut) — has its handler cancelled: another server may be running
/// it, and this attempt's outcome would be refused anyway (its fencing token is stale).
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

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(base.ExecuteAsync(stoppingToken), WatchLeasesAsync(stoppingToken));

    /// <summary>
    /// Apart from the renewals, which can hang for the command timeout on a network that drops packets (cancelling
    /// a statement needs an answer too): the leases that ran out stop their handlers.
    /// </summary>
    private async Task WatchLeasesAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                if (running.LeasesRunOut(_options.LeaseDuration).Count(running.LoseLease) is > 0 and var runOut)
                    LogLeasesRunOut(runOut, _options.LeaseDuration.TotalSeconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
        var ids = running.Ids;
        var sentAt = Time.GetTimestamp();
        var renewed = await store.RenewLeasesAsync(_options.ServerName, ids, _options.LeaseDuration, cancellationToken);
        foreach (var (id, cancelRequested) in renewed)
        {
            running.LeaseRenewed(id, sentAt);
            // A cancel request whose notification was missed still reaches the handler here.
            if (cancelRequested) running.RequestCancel(id);
        }
        if (ids.Except(renewed.Select(r => r.Id)).Count(running.LoseLease) is > 0 and var lost) LogLeasesTakenOver(lost);

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped {Count} running jobs whose leases ran out: no renewal got through for {LeaseSeconds} s, so other servers may take them over")]
    private partial void LogLeasesRunOut(int count, double leaseSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped {Count} running jobs that are no longer this server's: their leases had expired and they were rescued (was this process paused?)")]
    private partial void LogLeasesTakenOver(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removing this server from the server list failed; it will be pruned")]
    private partial void LogGoodbyeFailed(Exception exception);
}
