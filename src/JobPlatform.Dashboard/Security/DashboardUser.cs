namespace JobPlatform.Dashboard.Security;

/// <summary>
/// A dashboard login. <see cref="PasswordHash"/> is a PBKDF2 hash in ASP.NET Core Identity's format (make one with
/// <c>dotnet run --project src/JobPlatform.Api -- hash-password</c>); a plain <see cref="Password"/> is accepted in
/// Development only. <see cref="Role"/> is <c>admin</c> (may change jobs) or <c>read-only</c>.
/// </summary>
public sealed class DashboardUser
{
    public string Name { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    public string Password { get; set; } = "";
    public string Role { get; set; } = DashboardRoles.ReadOnly;

    public bool CanLogIn => Name.Length > 0 && (PasswordHash.Length > 0 || Password.Length > 0);

    public string EffectiveRole => Role == DashboardRoles.Admin ? DashboardRoles.Admin : DashboardRoles.ReadOnly;
}
