using Microsoft.Extensions.Hosting;

namespace JobPlatform.AppHost.Local;

/// <summary>
/// Stops the local PostgreSQL with a fast shutdown when the AppHost stops. Registered after Aspire's own services,
/// so it stops before them: otherwise the server would get only the signal Aspire sends to every executable, which
/// for PostgreSQL means "wait until every client has left" (and, through runuser, a kill two seconds later).
/// </summary>
internal sealed class LocalPostgresShutdown(LocalPostgresServer server) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => server.StopAsync(cancellationToken);
}
