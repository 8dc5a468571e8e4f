namespace JobPlatform.Dashboard.Security;

/// <summary>A dashboard login. <see cref="Role"/> is <c>admin</c> (may change jobs) or <c>read-only</c>.</summary>
public sealed class DashboardUser
{
    public string Name { get; set; } = "";
    public string Password { get; set; } = "";
    public string Role { get; set; } = DashboardRoles.ReadOnly;
}
