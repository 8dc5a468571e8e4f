using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Maintenance;
using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobPlatform.Jobs.Processing;

/// <summary>
/// Three times per lease: renews the leases of the attempts this server runs, so only a dead server's leases
/// expire, and records the server as alive with the limits it declares (pruning servers silent for three leases; a
/// server pruned while cut off declares its limits again when it is back). An attempt whose lease this
/// server has lost — its job taken over by another server after a pause — has its handler cancelled at once; one
/// whose lease no renewal has reached for three quarters of a lease (the database away, the network cut) has its
/// handler cancelled then, before the lease can run out and another server take the job.
/// Renewals go on until the last attempt has ended: the heartbeat stops after the processor has drained.
/// </summary>
public sealed partial class ServerHeartbeat(
    IServiceScopeFactory scopeFactory,
    RunningJobs running,
    JobTypeRegistry registry,
    IServerEndpointSource endpoint,
    IOptions<ProcessingOptions> options,
    TimeProvider time,
    ILogger<ServerHeartbeat> logger) : PeriodicService(time, logger)
{
    private readonly ProcessingOptions _options = options.Value;
    private readonly IReadOnlyList<JobTypeRecord> _declared = JobTypeRegistrar.RecordsOf(registry);

    protected override TimeSpan Interval => _options.LeaseDuration / 3;

    /// <summary>
    /// How much of a lease is left when the handler of an attempt whose lease was not renewed is cancelled: a
    /// quarter, so one failed renewal stops nothing, two in a row do, and the handler has that long to end before
    /// its job can be rescued elsewhere.
    /// </summary>
    public static TimeSpan StopMargin(TimeSpan lease) => lease / 4;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Registered before the processor, so stopped after it; whatever still runs (a handler that ignored its
        // cancellation) keeps its lease for as long as the host lets this wait.
        await running.WhenEmptyAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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
    /// a statement needs an answer too): the leases about to run out stop their handlers. It ticks every twelfth of
    /// a lease, so a handler is cancelled at least a sixth of a lease before its job can be rescued.
    /// </summary>
    private async Task WatchLeasesAsync(CancellationToken stoppingToken)
    {
        var lease = _options.LeaseDuration;
        using var timer = new PeriodicTimer(lease / 12, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                if (running.LeasesEnding(lease, StopMargin(lease)).Count(Stop) is > 0 and var ending)
                    LogLeasesEnding(ending, (lease - StopMargin(lease)).TotalSeconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
        var attempts = running.Attempts;
        var sentAt = Time.GetTimestamp();
        var renewed = await store.RenewLeasesAsync(_options.ServerName, attempts, _options.LeaseDuration, Interval / 2, cancellationToken);
        foreach (var (attempt, cancelRequested) in renewed)
        {
            running.LeaseRenewed(attempt, sentAt);
            // A cancel request whose notification was missed still reaches the handler here.
            if (cancelRequested) running.RequestCancel(attempt.JobId);
        }
        if (attempts.Except(renewed.Select(r => r.Attempt)).Count(Stop) is > 0 and var lost) LogLeasesTakenOver(lost);

        await store.HeartbeatAsync(new ServerRecord
        {
            Id = _options.ServerName,
            Host = Environment.MachineName,
            Queues = _options.Queues,
            Concurrency = _options.Queues.Sum(_options.ConcurrencyOf),
            InFlight = running.Count,
            Endpoint = endpoint.GetEndpoint(),
        }, _declared, _options.LeaseDuration * 3, cancellationToken);
    }

    /// <summary>Cancels the handler of an attempt whose lease this server lost or is about to lose; false when there was nothing to stop.</summary>
    private bool Stop(AttemptKey attempt)
    {
        if (!running.LoseLease(attempt)) return false;
        LogStopping(attempt.JobId, attempt.FencingToken);
        return true;
    }

    // Debug: the warnings below count the stops; this names each, for tracing one job through a fault.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Stopping job {JobId} (fencing token {Token}): its lease is lost or running out")]
    private partial void LogStopping(Guid jobId, long token);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped {Count} running jobs whose leases are running out: no renewal got through for {Seconds} s, and other servers may take them over soon")]
    private partial void LogLeasesEnding(int count, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped {Count} running jobs that are no longer this server's: their leases had expired and they were rescued (was this process paused?)")]
    private partial void LogLeasesTakenOver(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removing this server from the server list failed; it will be pruned")]
    private partial void LogGoodbyeFailed(Exception exception);
}
