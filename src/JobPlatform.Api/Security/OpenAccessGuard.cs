using System.Net;
using JobPlatform.Dashboard.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace JobPlatform.Api.Security;

/// <summary>
/// An api without keys, or a dashboard without a login, is open to whoever reaches it: allowed (in Development)
/// only while every listener is on loopback, so that only this machine reaches it. Nothing is granted by the
/// caller's address instead: behind a proxy every caller looks local. Checked once the server has bound its
/// addresses; a listener elsewhere stops the start with what to do about it. The telemetry port
/// (<see cref="TelemetryPort"/>) is exempt: it serves only what is anonymous anyway.
/// </summary>
public sealed partial class OpenAccessGuard(
    IServer server,
    IOptions<ApiKeyOptions> keys,
    DashboardAccess dashboard,
    IOptions<TelemetryPortOptions> telemetry,
    ILogger<OpenAccessGuard> logger) : IHostedLifecycleService
{
    /// <summary>What is open, in words for the error; empty when everything asks for credentials.</summary>
    public IReadOnlyList<string> OpenParts =>
    [
        .. keys.Value.Open ? ["the api has no API key"] : Array.Empty<string>(),
        .. dashboard.LoginRequired ? Array.Empty<string>() : ["the jobs dashboard has no login"],
    ];

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var open = OpenParts;
        if (open.Count == 0) return Task.CompletedTask;
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var reachable = addresses.Where(a => !IsLoopbackOnly(a, telemetry.Value.Port)).ToList();
        if (reachable.Count > 0)
            throw new InvalidOperationException(
                $"{string.Join(" and ", open)}, yet it listens on {string.Join(", ", reachable)}, which other machines can reach. " +
                "Open access is only for a listener on loopback (http://localhost:…): nothing is granted by the caller's address, " +
                "because behind a proxy every caller looks local. Either listen on loopback only, or set an API key " +
                "(JobPlatform__Api__AdminKeys__0=<32+ random characters>) and a dashboard user (JobPlatform__Dashboard__Users__0__…); " +
                "under the AppHost, JobPlatform:ExposeOnNetwork=true does both.");
        if (addresses.Count > 0) LogOpenOnLoopback(string.Join(" and ", open), string.Join(", ", addresses));
        return Task.CompletedTask;
    }

    /// <summary>Whether a bound address is reachable from this machine only (or is the telemetry-only port).</summary>
    public static bool IsLoopbackOnly(string address, int? telemetryPort)
    {
        var binding = BindingAddress.Parse(address);
        if (telemetryPort is { } port && binding.Port == port) return true;
        return string.Equals(binding.Host, "localhost", StringComparison.OrdinalIgnoreCase)
               || (IPAddress.TryParse(binding.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Open access: {Open}. It listens on loopback only ({Addresses}), so only this machine reaches it; set keys and a login before exposing it.")]
    private partial void LogOpenOnLoopback(string open, string addresses);
}
