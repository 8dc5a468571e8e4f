using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace JobPlatform.Tests.Infrastructure;

/// <summary>
/// A small OpenID Connect provider on loopback, for tests of a client's sign-in: discovery, its signing key, an
/// authorization endpoint that signs in whoever <see cref="SignedIn"/> says without asking (one code per visit, with
/// its PKCE challenge and nonce), and a token endpoint that checks the client's secret, the redirect and the PKCE
/// verifier before it hands out an RS256 ID token with the person's name and roles.
/// </summary>
public sealed class TestOpenIdProvider : IAsyncDisposable
{
    public const string ClientId = "jobplatform-dashboard", ClientSecret = "test-client-secret-0123456789abcdef";

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "test-key" };
    private readonly ConcurrentDictionary<string, Grant> _codes = new();

    private sealed record Grant(string RedirectUri, string? Nonce, string? Challenge, (string Name, string[] Roles) Person);

    /// <summary>Who the next visit to the authorization endpoint signs in: a name and the values of the "roles" claim.</summary>
    public (string Name, string[] Roles) SignedIn { get; set; } = ("alice", []);

    /// <summary>Token requests that were refused, and why: a test fails if the client got something wrong.</summary>
    public ConcurrentQueue<string> Refusals { get; } = new();

    private TestOpenIdProvider(WebApplication app) => _app = app;

    public string Authority => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public static async Task<TestOpenIdProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var provider = new TestOpenIdProvider(builder.Build());
        provider.Map();
        await provider._app.StartAsync();
        return provider;
    }

    private void Map()
    {
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Authority,
            ["authorization_endpoint"] = $"{Authority}/authorize",
            ["token_endpoint"] = $"{Authority}/token",
            ["jwks_uri"] = $"{Authority}/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
        }));
        _app.MapGet("/jwks", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(_key);
            return Results.Json(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } } });
        });
        _app.MapGet("/authorize", (HttpRequest request) =>
        {
            var query = request.Query;
            if (query["client_id"] != ClientId || query["response_type"] != "code") return Results.BadRequest("unknown client or response type");
            var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            _codes[code] = new Grant(query["redirect_uri"]!, query["nonce"], query["code_challenge"], SignedIn);
            var back = $"{query["redirect_uri"]}?code={code}&state={Uri.EscapeDataString(query["state"].ToString())}";
            return Results.Redirect(back);
        });
        _app.MapPost("/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var (id, secret) = ((string?)form["client_id"], (string?)form["client_secret"]);
            if (request.Headers.Authorization.ToString() is { Length: > 6 } basic && basic.StartsWith("Basic ", StringComparison.Ordinal))
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..])).Split(':', 2);
                (id, secret) = (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]));
            }
            var (grant, refusal) = Redeem(id, secret, form);
            if (refusal is not null)
            {
                Refusals.Enqueue(refusal);
                return Results.Json(new { error = "invalid_grant", error_description = refusal }, statusCode: 400);
            }
            return Results.Json(new { access_token = "opaque", token_type = "Bearer", expires_in = 300, id_token = IdToken(grant!) });
        });
    }

    /// <summary>The grant a token request redeems, or why it is refused.</summary>
    private (Grant? Grant, string? Refusal) Redeem(string? id, string? secret, IFormCollection form)
    {
        if (id != ClientId || secret != ClientSecret) return (null, "wrong client or secret");
        if (form["grant_type"] != "authorization_code") return (null, "not a code grant");
        if (!_codes.TryRemove(form["code"].ToString(), out var grant)) return (null, "unknown or used code");
        if (grant.RedirectUri != form["redirect_uri"]) return (null, "another redirect");
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString())));
        return grant.Challenge is not null && challenge == grant.Challenge ? (grant, null) : (null, "PKCE verifier does not match the challenge");
    }

    private string IdToken(Grant grant)
    {
        var claims = new List<Claim> { new("sub", $"sub-{grant.Person.Name}"), new("preferred_username", grant.Person.Name) };
        if (grant.Nonce is { } nonce) claims.Add(new Claim("nonce", nonce));
        var payload = new Dictionary<string, object> { ["roles"] = grant.Person.Roles };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = ClientId,
            Subject = new ClaimsIdentity(claims),
            Claims = payload,
            IssuedAt = DateTime.UtcNow,
            NotBefore = DateTime.UtcNow.AddSeconds(-5),
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
