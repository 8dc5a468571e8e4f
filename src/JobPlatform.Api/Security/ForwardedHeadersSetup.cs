using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace JobPlatform.Api.Security;

/// <summary>
/// <c>JobPlatform:Api:KnownProxies</c>: the addresses of the reverse proxies in front of the api. Only their
/// X-Forwarded-For and X-Forwarded-Proto are believed; with none configured, no forwarded header is, not even from
/// loopback (ASP.NET Core's default), so a caller cannot choose its own address or scheme.
/// </summary>
public static class ForwardedHeadersSetup
{
    public const string Setting = "JobPlatform:Api:KnownProxies";

    public static WebApplicationBuilder AddKnownProxies(this WebApplicationBuilder builder)
    {
        var proxies = builder.Configuration.GetSection(Setting).Get<string[]>() ?? [];
        var addresses = proxies.Select(p => IPAddress.TryParse(p, out var ip) ? ip
            : throw new InvalidOperationException($"{Setting} holds '{p}', which is not an IP address.")).ToList();
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            foreach (var address in addresses) options.KnownProxies.Add(address);
        });
        return builder;
    }

    /// <summary>First in the pipeline, where proxies are configured.</summary>
    public static IApplicationBuilder UseKnownProxies(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ForwardedHeadersOptions>>().Value.KnownProxies.Count > 0
            ? app.UseForwardedHeaders()
            : app;
}
