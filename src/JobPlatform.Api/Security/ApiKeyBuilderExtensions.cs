using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace JobPlatform.Api.Security;

public static class ApiKeyBuilderExtensions
{
    /// <summary>
    /// API-key authentication with a read policy for every route (the fallback) and an admin policy for
    /// changes. Outside Development the api refuses to start without a key.
    /// </summary>
    public static WebApplicationBuilder AddApiKeys(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ApiKeyOptions.Section).Get<ApiKeyOptions>() ?? new ApiKeyOptions();
        if (options.Open && !builder.Environment.IsDevelopment())
            throw new InvalidOperationException(
                "No API key is configured, and outside Development the api does not run open. Set one, e.g. the environment " +
                "variable JobPlatform__Api__AdminKeys__0=<a long random string> (read-only keys: JobPlatform__Api__ReadOnlyKeys__0), " +
                "or JobPlatform:Api:AdminKeys in configuration. The AppHost generates one; docker compose reads JOBPLATFORM_API_KEY.");

        builder.Services.Configure<ApiKeyOptions>(builder.Configuration.GetSection(ApiKeyOptions.Section));
        builder.Services.AddAuthentication(ApiKeys.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeys.Scheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeys.Read, p => p.RequireRole(ApiKeys.Read))
            .AddPolicy(ApiKeys.Admin, p => p.RequireRole(ApiKeys.Admin))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireRole(ApiKeys.Read).Build());
        return builder;
    }
}
