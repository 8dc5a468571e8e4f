namespace JobPlatform.Dashboard.Security;

/// <summary>
/// <c>JobPlatform:Dashboard:OpenIdConnect</c>: optional sign-in through an OpenID Connect provider (Entra ID,
/// Keycloak, Auth0…), beside or instead of the configured users. A signed-in person's dashboard role comes from a
/// claim of the provider's ID token (<see cref="RoleClaim"/>): a value in <see cref="AdminRoles"/> makes an admin,
/// one in <see cref="ReadOnlyRoles"/> a read-only user, and anyone else is turned away. The lists are read afresh on
/// every request, so removing a value takes the role from everyone who had it through that value, at once.
/// </summary>
public sealed class DashboardSingleSignOn
{
    /// <summary>The provider's issuer URL, whose <c>/.well-known/openid-configuration</c> describes it.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The client's secret at the provider (a confidential client, with PKCE as well).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The ID token claim holding the person's roles or groups (one value, or an array).</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>The ID token claim shown as the person's name.</summary>
    public string NameClaim { get; set; } = "preferred_username";

    public List<string> AdminRoles { get; set; } = [];
    public List<string> ReadOnlyRoles { get; set; } = [];

    /// <summary>The login page's button: "Sign in with …".</summary>
    public string DisplayName { get; set; } = "single sign-on";

    /// <summary>Only an https authority outside Development; a test's provider on loopback may turn this off.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrEmpty(Authority) && !string.IsNullOrEmpty(ClientId);

    /// <summary>The dashboard role the provider's role values give now, or null for none.</summary>
    public string? RoleFor(IEnumerable<string> providerRoles)
    {
        var roles = providerRoles.ToHashSet(StringComparer.Ordinal);
        if (AdminRoles.Any(roles.Contains)) return DashboardRoles.Admin;
        if (ReadOnlyRoles.Any(roles.Contains)) return DashboardRoles.ReadOnly;
        return null;
    }
}
