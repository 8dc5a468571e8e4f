using System.Security.Claims;
using JobPlatform.Dashboard.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;

namespace JobPlatform.Dashboard.Components;

/// <summary>Whether the signed-in user may change jobs, schedules and queues (the admin role, or login off).</summary>
public static class CanChange
{
    public static async Task<bool> CheckAsync(IAuthorizationService authorization, Task<AuthenticationState>? state) =>
        state is not null && (await authorization.AuthorizeAsync((await state).User ?? new ClaimsPrincipal(), DashboardRoles.ChangePolicy)).Succeeded;
}
