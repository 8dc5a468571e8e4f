namespace JobPlatform.Dashboard.Security;

public static class DashboardRoles
{
    public const string Admin = "admin", ReadOnly = "read-only";

    /// <summary>The cookie scheme of the dashboard's login (the api's own callers use API keys).</summary>
    public const string Scheme = "JobPlatformDashboard";

    /// <summary>The OpenID Connect scheme, when a sign-in provider is configured.</summary>
    public const string SingleSignOnScheme = "JobPlatformDashboardSso";

    /// <summary>The login cookie's name.</summary>
    public const string CookieName = ".JobPlatform.Dashboard";

    /// <summary>The rate-limit policy of the login form: a few tries a minute per address.</summary>
    public const string LoginRateLimit = "dashboard-login";

    /// <summary>Policies: anyone logged in may look; changes need the admin role.</summary>
    public const string ViewPolicy = "dashboard-view", ChangePolicy = "dashboard-change";
}
