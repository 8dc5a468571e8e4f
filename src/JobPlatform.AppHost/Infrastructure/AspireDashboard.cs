using Microsoft.Extensions.Configuration;

namespace JobPlatform.AppHost.Infrastructure;

public static class AspireDashboard
{
    /// <summary>
    /// The Aspire dashboard's page for one trace, with <c>{traceId}</c> left for the jobs dashboard to fill in;
    /// the dashboard listens where the AppHost's launch profile says (ASPNETCORE_URLS).
    /// </summary>
    public static string TraceUrl(IConfiguration configuration)
    {
        var dashboard = (configuration["ASPNETCORE_URLS"] ?? "http://localhost:15080").Split(';')[0].TrimEnd('/');
        return $"{dashboard}/traces/detail/{{traceId}}";
    }
}
