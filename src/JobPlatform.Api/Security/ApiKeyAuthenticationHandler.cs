using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace JobPlatform.Api.Security;

/// <summary>
/// Reads the API key header: an admin key gives the read and admin roles, a read-only key the read role. With
/// no keys configured (Development only) every caller is admin.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<ApiKeyOptions> keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var config = keys.Value;
        if (config.Open) return Task.FromResult(Success("open", ApiKeys.Read, ApiKeys.Admin));
        if (!Request.Headers.TryGetValue(config.Header, out var given) || string.IsNullOrEmpty(given))
            return Task.FromResult(AuthenticateResult.NoResult());

        var key = given.ToString();
        if (Matches(key, config.AdminKeys)) return Task.FromResult(Success("admin key", ApiKeys.Read, ApiKeys.Admin).WithKeyId(key));
        if (Matches(key, config.ReadOnlyKeys)) return Task.FromResult(Success("read-only key", ApiKeys.Read).WithKeyId(key));
        return Task.FromResult(AuthenticateResult.Fail("The API key is not one this api knows."));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await Results.Problem(statusCode: 401, title: "An API key is required.",
            detail: $"Send a valid key in the {keys.Value.Header} header.").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(statusCode: 403, title: "This key may only read.",
            detail: "Changes need an admin key.").ExecuteAsync(Context);
    }

    private AuthenticateResult Success(string name, params string[] roles)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    /// <summary>Constant-time comparison, so a wrong key's timing says nothing about the right one.</summary>
    private static bool Matches(string key, string[] known)
    {
        var given = Encoding.UTF8.GetBytes(key);
        var found = false;
        foreach (var candidate in known)
            found |= CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(candidate));
        return found;
    }
}
