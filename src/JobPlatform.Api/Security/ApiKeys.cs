using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;

namespace JobPlatform.Api.Security;

/// <summary>The authorization policies: <see cref="Read"/> guards every route (the fallback), <see cref="Admin"/> every change.</summary>
public static class ApiKeys
{
    public const string Scheme = "ApiKey";
    public const string Read = "read", Admin = "admin";

    /// <summary>A claim naming which key a caller proved, without the key: the first 16 hex digits of its SHA-256.</summary>
    public const string KeyIdClaim = "jobplatform:key-id";

    public static string KeyIdOf(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];

    internal static AuthenticateResult WithKeyId(this AuthenticateResult result, string key)
    {
        ((ClaimsIdentity)result.Principal!.Identity!).AddClaim(new Claim(KeyIdClaim, KeyIdOf(key)));
        return result;
    }
}
