using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace JobPlatform.Dashboard.Security;

/// <summary>Checks a name and password against the configured users, in constant time per user.</summary>
public sealed class DashboardLogin(IOptions<DashboardOptions> options)
{
    public bool HasUsers => options.Value.Users.Any(u => u.Name.Length > 0 && u.Password.Length > 0);

    /// <returns>The user's identity, or null when the name or password is wrong.</returns>
    public ClaimsPrincipal? SignIn(string? name, string? password)
    {
        var user = options.Value.Users.FirstOrDefault(u => u.Name.Length > 0 && u.Password.Length > 0 && u.Name == name);
        if (user is null || password is null ||
            !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(user.Password), Encoding.UTF8.GetBytes(password)))
            return null;
        var role = user.Role == DashboardRoles.Admin ? DashboardRoles.Admin : DashboardRoles.ReadOnly;
        return new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, role)], DashboardRoles.Scheme));
    }
}
