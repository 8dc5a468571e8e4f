using JobPlatform.Jobs.Client;
using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Scheduling;
using JobPlatform.Jobs.Storage;
using JobPlatform.Jobs.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

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
        services.TryAddSingleton<IScheduleClock, DatabaseScheduleClock>();
        services.TryAddScoped<JobStore>();
        services.TryAddSingleton<EnqueueCoalescer>();
        services.TryAddScoped<IJobClient, JobClient>();
        // Registered once however often AddJobPlatform is called; it must run before the other hosted services.
        if (!services.Any(d => d.ImplementationType == typeof(SchemaInitializer)))
        {
            services.Insert(0, ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, SchemaInitializer>());
            services.AddOptions<SchemaOptions>().BindConfiguration(SchemaOptions.Section);
            // EF logs every failed connection, command and save as an error. The engine's callers handle and log
            // those failures themselves (a loop's FailureStreak, the api's 503, a duplicate schedule name's 409), so
            // EF's copies go to Debug: otherwise each try of each loop during a database outage, or each refused
            // duplicate, would add an error line with a stack trace of its own.
            services.ConfigureDbContext<JobsDbContext>(o => o
                .ConfigureWarnings(w => w.Log(
                    (RelationalEventId.ConnectionError, LogLevel.Debug),
                    (RelationalEventId.CommandError, LogLevel.Debug),
                    (CoreEventId.SaveChangesFailed, LogLevel.Debug)))
                // The migration history in the engine's own schema, so that its database role needs no rights on "public".
                .UseNpgsql(npgsql => npgsql.MigrationsHistoryTable(SchemaMigrator.HistoryTable, JobsDbContext.Schema)));
        }
        return new JobPlatformBuilder(services);
    }
}
