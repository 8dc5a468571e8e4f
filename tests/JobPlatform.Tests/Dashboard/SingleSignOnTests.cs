using System.Net;
using JobPlatform.Dashboard.Security;
using JobPlatform.Tests.Api;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Components.Authorization;

namespace JobPlatform.Tests.Dashboard;

/// <summary>
/// Dashboard sign-in through an OpenID Connect provider (a small one started by the test): the code flow with PKCE
/// over real sockets, the role mapped from the ID token's "roles" claim — and re-mapped on every request and on live
/// connections, so a value removed from the settings takes the role away at once — and no sign-in without a role.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SingleSignOnTests(PostgresFixture postgres)
{
    private static Dictionary<string, string> Settings(TestOpenIdProvider provider) => new()
    {
        ["JobPlatform:Dashboard:OpenIdConnect:Authority"] = provider.Authority,
        ["JobPlatform:Dashboard:OpenIdConnect:ClientId"] = TestOpenIdProvider.ClientId,
        ["JobPlatform:Dashboard:OpenIdConnect:ClientSecret"] = TestOpenIdProvider.ClientSecret,
        ["JobPlatform:Dashboard:OpenIdConnect:DisplayName"] = "Test SSO",
        ["JobPlatform:Dashboard:OpenIdConnect:RequireHttpsMetadata"] = "false", // the test's provider is on plain HTTP
    };

    /// <summary>Signs in through the provider, as a browser would (every redirect followed); returns where it ended and what it shows.</summary>
    private static async Task<(string Path, string Page)> SignInAsync(HttpClient browser)
    {
        using var response = await browser.GetAsync("/dashboard/login/sso?returnUrl=%2Fdashboard%2Fqueues");
        return (response.RequestMessage!.RequestUri!.PathAndQuery, await response.Content.ReadAsStringAsync());
    }

    private static HttpClient Browser(string api) =>
        new(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = true }) { BaseAddress = new Uri(api) };

    [Fact]
    public async Task A_person_the_provider_vouches_for_gets_the_mapped_role_until_the_settings_take_it_away()
    {
        await using var provider = await TestOpenIdProvider.StartAsync();
        var live = new ReloadableSettings(new Dictionary<string, string?>
        {
            ["JobPlatform:Dashboard:OpenIdConnect:AdminRoles:0"] = "ops-admins",
            ["JobPlatform:Dashboard:OpenIdConnect:ReadOnlyRoles:0"] = "ops-viewers",
        });
        // Development: the cookies travel over the test's plain HTTP.
        await using var api = new ApiFactory(await postgres.CreateDatabaseAsync(), Settings(provider), open: true, configuration: live);
        using var browser = Browser(api.StartOnKestrel());

        Assert.Contains("Sign in with Test SSO", await browser.GetStringAsync("/dashboard/login"));
        provider.SignedIn = ("alice", ["staff", "ops-admins"]);
        var (path, page) = await SignInAsync(browser);
        Assert.Equal("/dashboard/queues", path);
        Assert.Contains("alice (admin)", page);
        Assert.Empty(provider.Refusals); // the client's secret, redirect and PKCE verifier were right

        live.Set("JobPlatform:Dashboard:OpenIdConnect:AdminRoles:0", "someone-else");
        live.Set("JobPlatform:Dashboard:OpenIdConnect:ReadOnlyRoles:1", "ops-admins");
        Assert.Contains("alice (read-only)", await browser.GetStringAsync("/dashboard"));

        live.Set("JobPlatform:Dashboard:OpenIdConnect:ReadOnlyRoles:1", null);
        using var gone = await browser.GetAsync("/dashboard");
        Assert.Equal("/dashboard/login", gone.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task Someone_whose_roles_map_to_none_is_not_signed_in()
    {
        await using var provider = await TestOpenIdProvider.StartAsync();
        var settings = new Dictionary<string, string>(Settings(provider)) { ["JobPlatform:Dashboard:OpenIdConnect:AdminRoles:0"] = "ops-admins" };
        await using var api = new ApiFactory(await postgres.CreateDatabaseAsync(), settings, open: true);
        using var browser = Browser(api.StartOnKestrel());

        provider.SignedIn = ("mallory", ["guests"]);
        var (path, page) = await SignInAsync(browser);

        Assert.StartsWith("/dashboard/login?sso=denied", path);
        Assert.Contains("gave you no role here", page);
        using var dashboard = await browser.GetAsync("/dashboard");
        Assert.Equal("/dashboard/login", dashboard.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Empty(provider.Refusals);
    }

    /// <summary>A live connection (a Blazor circuit) keeps its identity; each revalidation checks it against the settings as they are now.</summary>
    [Fact]
    public void A_live_connections_identity_fails_revalidation_once_the_settings_no_longer_grant_its_role()
    {
        var options = new DashboardOptions
        {
            Users = [new DashboardUser { Name = "ops", PasswordHash = DashboardLogin.HashPassword("right-password"), Role = DashboardRoles.Admin }],
            OpenIdConnect = new DashboardSingleSignOn { Authority = "https://sso.example", ClientId = "c", AdminRoles = ["ops-admins"] },
        };
        var login = new DashboardLogin(new FixedOptions(options), TimeProvider.System, new FakeLogger<DashboardLogin>());
        using var circuit = new RevalidatingDashboardUser(NullLoggerFactory.Instance, login);
        var local = login.SignIn("ops", "right-password", null).User!;
        var external = login.SignInExternal("alice", ["ops-admins"])!;
        Assert.True(circuit.StillValid(local));
        Assert.True(circuit.StillValid(external));
        Assert.True(circuit.StillValid(new System.Security.Claims.ClaimsPrincipal())); // anonymous stays anonymous

        options.Users[0].Role = DashboardRoles.ReadOnly;
        options.OpenIdConnect.AdminRoles = [];
        Assert.False(circuit.StillValid(local));
        Assert.False(circuit.StillValid(external));
    }

    private sealed class FixedOptions(DashboardOptions value) : IOptionsMonitor<DashboardOptions>
    {
        public DashboardOptions CurrentValue => value;
        public DashboardOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<DashboardOptions, string?> listener) => null;
    }
}
