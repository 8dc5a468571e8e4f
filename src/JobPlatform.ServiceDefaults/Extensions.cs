using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every JobPlatform service shares: OpenTelemetry (OTLP to the Aspire dashboard, Prometheus
/// scraping at /metrics), health endpoints, service discovery and resilient HttpClients.
/// </summary>
public static class Extensions
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";
    public const string MetricsPath = "/metrics";

    /// <summary>The engine's meter and activity source (see ARCHITECTURE.md, telemetry contract).</summary>
    private const string JobsTelemetryName = "JobPlatform.Jobs";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter(JobsTelemetryName)
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName, JobsTelemetryName)
                .AddAspNetCoreInstrumentation(aspNetCore =>
                    // Probes and scrapes would drown the traces that matter.
                    aspNetCore.Filter = context => !IsInfrastructurePath(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql());

        // The Aspire dashboard (or any collector) is reached only when an endpoint is configured.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            builder.Services.AddOpenTelemetry().UseOtlpExporter();

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // "live" checks only that the process answers; readiness (/health) also runs the database check
        // that AddNpgsqlDbContext registers.
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        builder.Services.AddOutputCache(AnonymousAnswerCache.Register);
        return builder;
    }

    /// <summary>
    /// Maps /health (ready: every check, the database included; cached for two seconds), /alive (liveness) and
    /// /metrics in every environment: compose, Aspire and Prometheus rely on them. Health answers carry only the
    /// status word.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Only the endpoints that ask for it (CacheOutput) are cached.
        app.UseOutputCache();
        // Open even where the rest of an app needs a key: orchestrators and Prometheus call these. Readiness asks the
        // database, so its answer is shared for a moment (AnonymousAnswerCache).
        app.MapHealthChecks(HealthPath).AllowAnonymous().CacheOutput(AnonymousAnswerCache.PolicyName);
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") }).AllowAnonymous();
        app.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous();
        return app;
    }

    private static bool IsInfrastructurePath(PathString path) =>
        path.StartsWithSegments(HealthPath) || path.StartsWithSegments(AlivePath) || path.StartsWithSegments(MetricsPath);
}
