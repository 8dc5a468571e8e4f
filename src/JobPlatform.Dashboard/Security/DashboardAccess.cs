namespace JobPlatform.Dashboard.Security;

/// <summary>Whether the dashboard asks for a login (decided once at start from the environment and options).</summary>
public sealed record DashboardAccess(bool LoginRequired);
