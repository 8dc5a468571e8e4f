namespace JobPlatform.Api.Security;

/// <summary>The authorization policies: <see cref="Read"/> guards every route (the fallback), <see cref="Admin"/> every change.</summary>
public static class ApiKeys
{
    public const string Scheme = "ApiKey";
    public const string Read = "read", Admin = "admin";
}
