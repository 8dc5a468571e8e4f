using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using JobPlatform.Jobs.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobPlatform.Jobs.Processing;

/// <summary>
/// Writes this worker's job types to the database on start, so the api knows what it may enqueue, with the
/// cluster-wide limits this server declares for them (the strictest of all servers' applies). Waits for a database
/// that has gone away since the schema was checked (see <see cref="StartupRetry"/>).
/// </summary>
internal sealed class JobTypeRegistrar(
    IServiceScopeFactory scopeFactory, JobTypeRegistry registry, IOptions<ProcessingOptions> options, ILogger<JobTypeRegistrar> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        StartupRetry.RunAsync(logger, "Reaching the database to register this worker's job types", RegisterAsync, cancellationToken);

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<JobStore>().UpsertJobTypesAsync(options.Value.ServerName, RecordsOf(registry), cancellationToken);
    }

    /// <summary>The rows this worker writes for its job types; the heartbeat declares the same limits again.</summary>
    internal static IReadOnlyList<JobTypeRecord> RecordsOf(JobTypeRegistry registry) =>
    [
        .. registry.All.Select(d => new JobTypeRecord
        {
            Name = d.Name,
            Queue = d.Options.Queue,
            MaxAttempts = d.Options.MaxAttempts,
            MaxRescues = d.Options.MaxRescues,
            PayloadSchema = d.PayloadSchema,
            ConcurrencyLimit = d.Options.ConcurrencyLimit,
            RateLimit = d.Options.RateLimit?.Starts,
            RateInterval = d.Options.RateLimit?.Per,
        }),
    ];

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
