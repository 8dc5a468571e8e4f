using Microsoft.Extensions.Options;

namespace JobPlatform.Api.Security;

/// <summary>
/// <c>JobPlatform:Api:TelemetryPort</c>: a port on which the api serves only what is anonymous anyway (metrics,
/// health, the Prometheus targets list). For a Prometheus that must reach the api from elsewhere (a container)
/// while the api itself stays on loopback: the port may listen on every interface and still grants nothing.
/// </summary>
public sealed class TelemetryPortOptions
{
    public int? Port { get; set; }
}

public static class TelemetryPort
{
    public const string Setting = "JobPlatform:Api:TelemetryPort";

    /// <summary>The paths served on the telemetry port; everything else there is not found.</summary>
    public static readonly string[] Paths = ["/metrics", "/health", "/alive", "/api/servers/prometheus-targets"];

    public static WebApplicationBuilder AddTelemetryPort(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<TelemetryPortOptions>(o => o.Port = builder.Configuration.GetValue<int?>(Setting));
        return builder;
    }

    /// <summary>First in the pipeline: a request on the telemetry port for anything else ends here, with 404.</summary>
    public static IApplicationBuilder UseTelemetryPort(this IApplicationBuilder app)
    {
        var port = app.ApplicationServices.GetRequiredService<IOptions<TelemetryPortOptions>>().Value.Port;
        if (port is null) return app;
        return app.Use((context, next) =>
        {
            if (context.Connection.LocalPort != port || Paths.Any(p => context.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase)))
                return next(context);
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "This port serves telemetry only.",
                detail: $"Port {port} answers {string.Join(", ", Paths)}; the api and the dashboard are on the api's own port.").ExecuteAsync(context);
        });
    }
}
