using System.Threading.RateLimiting;
using JobPlatform.Dashboard.Components;
using JobPlatform.Dashboard.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.FluentUI.AspNetCore.Components;

namespace JobPlatform.Dashboard;

public static class DashboardExtensions
{
    public const string BasePath = "/dashboard";

    /// <summary>Login form posts an address may make a minute.</summary>
    public const int LoginAttemptsPerMinute = 10;

    /// <summary>
    /// The dashboard's services: Blazor (interactive server), Fluent UI, and its own login (a cookie, users from
    /// <c>JobPlatform:Dashboard:Users</c>), separate from the api's keys.
    /// </summary>
    public static WebApplicationBuilder AddJobPlatformDashboard(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(DashboardOptions.Section);
        var options = section.Get<DashboardOptions>() ?? new DashboardOptions();
        var sso = options.OpenIdConnect;
        var loginRequired = options.RequireLogin ?? (!builder.Environment.IsDevelopment() || options.Users.Count > 0 || sso.IsConfigured);

        if (!builder.Environment.IsDevelopment() && options.Users.FindIndex(u => u.Password.Length > 0) is >= 0 and var plain)
            throw new InvalidOperationException(
                $"{DashboardOptions.Section}:Users:{plain}:Password is a plain password, which only Development accepts. Store its hash " +
                $"in {DashboardOptions.Section}:Users:{plain}:PasswordHash instead, made with: dotnet run --project src/JobPlatform.Api -- hash-password");

        builder.Services.Configure<DashboardOptions>(section);
        builder.Services.AddSingleton(new DashboardAccess(loginRequired));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DashboardLogin>();
        builder.Services.AddSingleton<IAuthorizationHandler, CurrentUserHandler>();
        if (loginRequired) builder.Services.AddScoped<AuthenticationStateProvider, RevalidatingDashboardUser>();
        builder.Services.AddSingleton<DashboardData>();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddAuthentication().AddCookie(DashboardRoles.Scheme, cookie =>
        {
            cookie.LoginPath = $"{BasePath}/login";
            cookie.AccessDeniedPath = $"{BasePath}/login";
            cookie.Cookie.Name = DashboardRoles.CookieName;
            cookie.Cookie.HttpOnly = true;
            // Strict, but Lax with a sign-in provider: a browser arriving from the provider's redirects would not
            // send a Strict cookie with its first page. Changes still need the forms' antiforgery tokens.
            cookie.Cookie.SameSite = sso.IsConfigured ? SameSiteMode.Lax : SameSiteMode.Strict;
            // Outside Development the cookie travels over HTTPS only (behind a TLS-terminating proxy, see the
            // api's forwarded-headers setting).
            cookie.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            // The user and role are checked against the configuration on every request: removed, signed out;
            // demoted, the new role at once.
            cookie.Events.OnValidatePrincipal = async context =>
            {
                if (context.Principal is null) return;
                var current = context.HttpContext.RequestServices.GetRequiredService<DashboardLogin>().Current(context.Principal);
                if (current is null)
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(DashboardRoles.Scheme);
                }
                else if (!ReferenceEquals(current, context.Principal))
                {
                    context.ReplacePrincipal(current);
                    context.ShouldRenew = true;
                }
            };
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
        });
        if (sso.IsConfigured) builder.AddSingleSignOn(sso);
        // Guessing passwords: a few tries a minute per address (IPv6 by /64), over it 429; the user name's own
        // lockout is DashboardLogin's. Whatever the host's general rate limit is, this one is always on.
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests; // where the host sets no answer of its own
            limiter.AddPolicy(DashboardRoles.LoginRateLimit, http =>
                RateLimitPartition.GetFixedWindowLimiter(ClientAddress.PartitionOf(http.Connection.RemoteIpAddress), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = LoginAttemptsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
        });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(DashboardRoles.ViewPolicy, policy =>
            {
                if (loginRequired) policy.AddAuthenticationSchemes(DashboardRoles.Scheme).AddRequirements(new CurrentUserRequirement(Admin: false));
                // Without a login (Development, no users) it is open to whoever reaches it: the host must then
                // listen on loopback only (the api's OpenAccessGuard refuses to start otherwise). Never granted by
                // the caller's address: behind a proxy every caller looks local.
                else policy.RequireAssertion(_ => true);
            })
            .AddPolicy(DashboardRoles.ChangePolicy, policy =>
            {
                if (loginRequired) policy.AddAuthenticationSchemes(DashboardRoles.Scheme).AddRequirements(new CurrentUserRequirement(Admin: true));
                else policy.RequireAssertion(_ => true);
            });
        return builder;
    }

    /// <summary>The pages under /dashboard, their static files, and the login and logout form posts.</summary>
    public static WebApplication MapJobPlatformDashboard(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous(); // Blazor's script, Fluent UI's and the dashboard's styles
        var pages = app.MapRazorComponents<App>().AddInteractiveServerRenderMode().RequireAuthorization(DashboardRoles.ViewPolicy);
        // Blazor's own script is mapped with the pages; like the other static files it holds no data.
        pages.Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } route } && route.TrimStart('/').StartsWith("_framework/", StringComparison.Ordinal))
                endpoint.Metadata.Add(new AllowAnonymousAttribute());
        });

        // Plain form posts with an antiforgery token: the cookie can only be set by a real HTTP response.
        app.MapPost($"{BasePath}/login", async (HttpContext http, DashboardLogin login,
            [FromForm] string? name, [FromForm] string? password, [FromForm] string? returnUrl) =>
        {
            var target = LocalTarget(returnUrl);
            var (outcome, user) = login.SignIn(name, password, http.Connection.RemoteIpAddress?.ToString());
            if (user is null)
                return Results.LocalRedirect($"{BasePath}/login?{(outcome == DashboardLogin.Outcome.LockedOut ? "locked" : "failed")}=true&returnUrl={Uri.EscapeDataString(target)}");
            await http.SignInAsync(DashboardRoles.Scheme, user);
            return Results.LocalRedirect(target);
        }).WithDashboardIdentity().ExcludeFromDescription().RequireRateLimiting(DashboardRoles.LoginRateLimit);
        // Sign-in through the OpenID Connect provider, where one is configured: off to it, and back to the page asked for.
        if (app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.OpenIdConnect.IsConfigured)
            app.MapGet($"{BasePath}/login/sso", (string? returnUrl) =>
                    Results.Challenge(new AuthenticationProperties { RedirectUri = LocalTarget(returnUrl) }, [DashboardRoles.SingleSignOnScheme]))
                .WithDashboardIdentity().ExcludeFromDescription().RequireRateLimiting(DashboardRoles.LoginRateLimit);
        app.MapPost($"{BasePath}/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(DashboardRoles.Scheme);
            return Results.LocalRedirect($"{BasePath}/login");
        }).WithMetadata(new RequireAntiforgeryTokenAttribute()).WithDashboardIdentity().ExcludeFromDescription();
        return app;
    }

    /// <summary>Where to go after signing in: a dashboard page the caller named, never another site.</summary>
    private static string LocalTarget(string? returnUrl) =>
        returnUrl is { Length: > 1 } url && url.StartsWith(BasePath, StringComparison.Ordinal) && !url.StartsWith("//") ? url : BasePath;

    /// <summary>
    /// Open to anyone, but seen as the dashboard's pages see the caller (its login cookie, else anonymous), not as
    /// the host's default scheme does: the antiforgery token of the login form is bound to that identity, and an api
    /// that runs open makes every caller "open" by default, which the pages' token would not match.
    /// </summary>
    private static RouteHandlerBuilder WithDashboardIdentity(this RouteHandlerBuilder endpoint) =>
        endpoint.WithMetadata(new AuthorizeAttribute { AuthenticationSchemes = DashboardRoles.Scheme }).AllowAnonymous();
}
