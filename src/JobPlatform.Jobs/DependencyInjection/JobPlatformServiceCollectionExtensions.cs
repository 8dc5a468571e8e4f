using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Storage;
using JobPlatform.Jobs.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JobPlatform.Jobs.DependencyInjection;

public static class JobPlatformServiceCollectionExtensions
{
    /// <summary>
    /// Adds the job client and migrates the schema on start. The host registers <see cref="JobsDbContext"/>
    /// itself (the api and worker do so through Aspire's <c>AddNpgsqlDbContext</c>), so the engine stays
    /// free of any one way to configure a database.
    /// </summary>
    public static JobPlatformBuilder AddJobPlatform(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<JobsTelemetry>();
        services.TryAddSingleton<JobTypeRegistry>();
        services.TryAddScoped<JobStore>();
        services.TryAddSingleton<EnqueueCoalescer>();
        services.TryAddScoped<IJobClient, JobClient>();
        // Registered once however often AddJobPlatform is called; it must run before the other hosted services.
        if (!services.Any(d => d.ImplementationType == typeof(SchemaInitializer)))
            services.Insert(0, ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, SchemaInitializer>());
        return new JobPlatformBuilder(services);
    }
}
