using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Handlers;

namespace JobPlatform.Worker.Jobs;

public sealed record HeartbeatReportPayload;

/// <summary>
/// The sample recurring job (schedule <see cref="Schedule"/>, every minute): logs which workers are alive and
/// how busy they are, so a running platform shows one line a minute whatever else happens.
/// </summary>
public sealed partial class HeartbeatReportJob(IJobClient client, ILogger<HeartbeatReportJob> logger) : IJob<HeartbeatReportPayload>
{
    public const string Name = "heartbeat-report", Schedule = "heartbeat-report", Cron = "* * * * *";

    public async Task ExecuteAsync(HeartbeatReportPayload payload, JobContext context, CancellationToken cancellationToken)
    {
        var servers = await client.GetServersAsync(cancellationToken);
        LogReport(servers.Count, servers.Sum(s => s.InFlight), string.Join(", ", servers.Select(s => s.Id)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Heartbeat: {Servers} worker(s) alive, {InFlight} job(s) running ({ServerIds})")]
    private partial void LogReport(int servers, int inFlight, string serverIds);
}
