using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Logging;

namespace JobPlatform.Dashboard.Security;

/// <summary>
/// A signed-in user who is still configured now, with an admin role where <see cref="Admin"/> says so: checked
/// against the configuration on every request and every action, not against what the cookie or the live
/// connection remembers from the login.
/// </summary>
public sealed record CurrentUserRequirement(bool Admin) : IAuthorizationRequirement;

public sealed class CurrentUserHandler(DashboardLogin login) : AuthorizationHandler<CurrentUserRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, CurrentUserRequirement requirement)
    {
        if (login.CurrentRole(context.User) is { } role && (!requirement.Admin || role == DashboardRoles.Admin))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>
/// For the dashboard's live connections (Blazor circuits), which keep the identity they started with: every few
/// seconds it is checked against the configuration again, and a removed or demoted user's page loses it.
/// </summary>
public sealed class RevalidatingDashboardUser(ILoggerFactory loggers, DashboardLogin login)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(5);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken cancellationToken) =>
        Task.FromResult(StillValid(state.User));

    /// <summary>What each revalidation decides: anonymous stays so; a signed-in identity must still match the configuration.</summary>
    public bool StillValid(System.Security.Claims.ClaimsPrincipal user) => user.Identity?.IsAuthenticated != true || login.IsCurrent(user);
}
