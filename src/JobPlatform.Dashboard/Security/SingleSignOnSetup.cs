using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace JobPlatform.Dashboard.Security;

/// <summary>
/// Sign-in through an OpenID Connect provider (<see cref="DashboardSingleSignOn"/>), with ASP.NET Core's handler:
/// the authorization code flow with PKCE, the answer on the query string (no cross-site form post), and the ID
/// token's name and role claims turned into a dashboard identity in the dashboard's own cookie — or no sign-in at
/// all when no role value maps.
/// </summary>
internal static partial class SingleSignOnSetup
{
    /// <summary>Where the provider sends the browser back.</summary>
    public const string CallbackPath = DashboardExtensions.BasePath + "/signin-oidc";

    public static void AddSingleSignOn(this WebApplicationBuilder builder, DashboardSingleSignOn sso)
    {
        builder.Services.AddAuthentication().AddOpenIdConnect(DashboardRoles.SingleSignOnScheme, sso.DisplayName, oidc =>
        {
            oidc.Authority = sso.Authority;
            oidc.ClientId = sso.ClientId;
            oidc.ClientSecret = sso.ClientSecret;
            oidc.RequireHttpsMetadata = sso.RequireHttpsMetadata;
            oidc.ResponseType = OpenIdConnectResponseType.Code;
            oidc.ResponseMode = OpenIdConnectResponseMode.Query;
            oidc.UsePkce = true;
            oidc.CallbackPath = CallbackPath;
            oidc.SignInScheme = DashboardRoles.Scheme;
            oidc.SaveTokens = false;
            oidc.GetClaimsFromUserInfoEndpoint = false;
            oidc.MapInboundClaims = false; // the provider's own claim names, as the settings name them
            oidc.Scope.Clear();
            oidc.Scope.Add("openid");
            oidc.Scope.Add("profile");
            oidc.TokenValidationParameters.NameClaimType = sso.NameClaim;
            oidc.TokenValidationParameters.RoleClaimType = sso.RoleClaim;
            // The provider answers with a redirect (a top-level GET): Lax cookies come back with it. Secure as the
            // login cookie is: always, but in Development over plain HTTP.
            var secure = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            (oidc.CorrelationCookie.SameSite, oidc.CorrelationCookie.SecurePolicy) = (SameSiteMode.Lax, secure);
            (oidc.NonceCookie.SameSite, oidc.NonceCookie.SecurePolicy) = (SameSiteMode.Lax, secure);
            oidc.Events.OnTokenValidated = context =>
            {
                var provider = context.Principal!;
                var name = new[] { sso.NameClaim, "preferred_username", "name", "email", "sub" }
                    .Select(type => provider.FindFirst(type)?.Value).FirstOrDefault(value => !string.IsNullOrEmpty(value));
                var roles = provider.FindAll(sso.RoleClaim).Select(c => c.Value).ToList();
                var signedIn = context.HttpContext.RequestServices.GetRequiredService<DashboardLogin>().SignInExternal(name, roles);
                if (signedIn is null)
                {
                    Logger(context.HttpContext).LogNoRole(name ?? "(no name)", sso.RoleClaim, roles.Count == 0 ? "none" : string.Join(", ", roles));
                    context.Fail("The provider's roles give no dashboard role.");
                }
                else context.Principal = signedIn;
                return Task.CompletedTask;
            };
            oidc.Events.OnRemoteFailure = context =>
            {
                Logger(context.HttpContext).LogFailed(context.Failure?.Message ?? "no reason given");
                context.Response.Redirect($"{DashboardExtensions.BasePath}/login?sso=denied");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
    }

    private static ILogger Logger(HttpContext http) =>
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SingleSignOnSetup).FullName!);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard sign-in of '{Name}' through the OpenID Connect provider refused: its {Claim} values ({Roles}) give no dashboard role")]
    private static partial void LogNoRole(this ILogger logger, string name, string claim, string roles);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard sign-in through the OpenID Connect provider failed: {Reason}")]
    private static partial void LogFailed(this ILogger logger, string reason);
}
