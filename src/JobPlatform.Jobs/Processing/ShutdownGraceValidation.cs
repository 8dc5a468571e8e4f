using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace JobPlatform.Jobs.Processing;

/// <summary>
/// Refuses a <see cref="ProcessingOptions.ShutdownGrace"/> the host's stop cannot cover. Leases are renewed while
/// running jobs finish, but only for as long as the host waits for its services to stop
/// (<see cref="HostOptions.ShutdownTimeout"/>); past that the heartbeat stops with handlers still running, their
/// leases run out, and other servers run their jobs a second time while the first runs still go on.
/// </summary>
public sealed class ShutdownGraceValidation(IOptions<HostOptions> host) : IValidateOptions<ProcessingOptions>
{
    /// <summary>What the stop needs beyond the grace: cancelled handlers return and their jobs are given back.</summary>
    public static readonly TimeSpan GiveBackTime = TimeSpan.FromSeconds(5);

    public ValidateOptionsResult Validate(string? name, ProcessingOptions options)
    {
        var timeout = host.Value.ShutdownTimeout;
        return options.ShutdownGrace + GiveBackTime <= timeout
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"JobPlatform:Processing:ShutdownGrace ({options.ShutdownGrace.TotalSeconds} s) plus {GiveBackTime.TotalSeconds} s to give " +
                $"cancelled jobs back must fit in the host's shutdown timeout ({timeout.TotalSeconds} s, HostOptions.ShutdownTimeout): " +
                "otherwise the host stops renewing leases while jobs still run, and other servers run them again. " +
                "Lower the grace or raise the host's shutdown timeout.");
    }
}
