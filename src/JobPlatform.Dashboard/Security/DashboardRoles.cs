namespace JobPlatform.Dashboard.Security;

public static class DashboardRoles
{
    public const string Admin = "admin", ReadOnly = "read-only";

    /// <summary>The cookie scheme of the dashboard's login (the api's own callers use API keys).</summary>
    public const string Scheme = "JobPlatformDashboard";

    /// <summary>Policies: anyone logged in may look; changes need the admin role.</summary>
    public const string ViewPolicy = "dashboard-view", ChangePolicy = "dashboard-change";
}
