using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace JobPlatform.Api.Security;

public static class ApiKeyBuilderExtensions
{
    /// <summary>
    /// API-key authentication with a read policy for every route (the fallback) and an admin policy for
    /// changes. Outside Development the api refuses to start without a key, with a short one, or with a
    /// documented default.
    /// </summary>
    public static WebApplicationBuilder AddApiKeys(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ApiKeyOptions.Section);
        var options = section.Get<ApiKeyOptions>() ?? new ApiKeyOptions();
        options.AdminKeys = [.. options.AdminKeys, .. options.AdminKeyFiles.Select(ReadKeyFile)];
        if (!builder.Environment.IsDevelopment()) RefuseWeakKeys(options);

        builder.Services.Configure<ApiKeyOptions>(section);
        builder.Services.PostConfigure<ApiKeyOptions>(o => o.AdminKeys = options.AdminKeys);
        builder.Services.AddAuthentication(ApiKeys.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeys.Scheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeys.Read, p => p.RequireRole(ApiKeys.Read))
            .AddPolicy(ApiKeys.Admin, p => p.RequireRole(ApiKeys.Admin))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireRole(ApiKeys.Read).Build());
        return builder;
    }

    private static void RefuseWeakKeys(ApiKeyOptions options)
    {
        if (options.Open)
            throw new InvalidOperationException(
                "No API key is configured, and outside Development the api does not run open. Set one, e.g. the environment " +
                "variable JobPlatform__Api__AdminKeys__0=<a long random string> (read-only keys: JobPlatform__Api__ReadOnlyKeys__0), " +
                "or JobPlatform:Api:AdminKeys in configuration. The AppHost generates one; docker compose generates one or reads JOBPLATFORM_API_KEY.");
        var weak = options.AdminKeys.Select((key, i) => (Key: key, Name: $"AdminKeys:{i}"))
            .Concat(options.ReadOnlyKeys.Select((key, i) => (Key: key, Name: $"ReadOnlyKeys:{i}")))
            .Select(k => ApiKeyOptions.DocumentedDefaults.Contains(k.Key, StringComparer.OrdinalIgnoreCase) ? $"{k.Name} is a documented default"
                : k.Key.Length < ApiKeyOptions.MinimumLength ? $"{k.Name} is {k.Key.Length} characters long" : null)
            .OfType<string>().ToList();
        if (weak.Count > 0)
            throw new InvalidOperationException(
                $"Outside Development every API key must be at least {ApiKeyOptions.MinimumLength} random characters and no documented default: " +
                $"{string.Join("; ", weak)} (JobPlatform:Api). Make one with: openssl rand -hex 24");
    }

    private static string ReadKeyFile(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"The API key file {path} (JobPlatform:Api:AdminKeyFiles) cannot be read: {e.Message}", e);
        }
    }
}
