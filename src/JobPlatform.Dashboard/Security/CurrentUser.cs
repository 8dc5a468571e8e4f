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
        if (login.Find(context.User.Identity?.Name) is { } user && context.User.Identity!.IsAuthenticated
            && (!requirement.Admin || user.EffectiveRole == DashboardRoles.Admin))
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
        Task.FromResult(state.User.Identity?.IsAuthenticated != true || login.IsCurrent(state.User));
}
