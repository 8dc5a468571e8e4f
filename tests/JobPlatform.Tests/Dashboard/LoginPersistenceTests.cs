using System.Net;
using JobPlatform.Dashboard.Security;
using JobPlatform.Tests.Api;
using JobPlatform.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace JobPlatform.Tests.Dashboard;

/// <summary>
/// The keys behind the dashboard's login cookie live in the jobs database, so a login outlasts the api process that
/// issued it (a restart, a new container, another replica) — and only because they are there.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LoginPersistenceTests(PostgresFixture postgres)
{
    private static readonly Dictionary<string, string> Users = new()
    {
        ["JobPlatform:Dashboard:Users:0:Name"] = "ops", ["JobPlatform:Dashboard:Users:0:Password"] = "ops-password",
        ["JobPlatform:Dashboard:Users:0:Role"] = "admin",
    };

    [Fact]
    public async Task A_login_survives_a_restart_of_the_api_through_the_keys_in_the_database()
    {
        var db = await postgres.CreateDatabaseAsync();
        string cookie;
        await using (var first = new ApiFactory(db, Users, open: true))
        {
            using var http = first.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            using var login = await DashboardLoginTests.PostLoginAsync(http, "ops", "ops-password");
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            cookie = login.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(DashboardRoles.CookieName + "=", StringComparison.Ordinal));
        }
        Assert.True(await Sql.ScalarAsync(db, "SELECT count(*) FROM jobplatform.data_protection_keys") >= 1);

        await using (var restarted = new ApiFactory(db, Users, open: true))
            Assert.Contains("ops (admin)", await DashboardAsync(restarted, cookie));

        // Without the database's keys the same cookie means nothing: they, not a file on this machine, carried it.
        await Sql.ExecuteAsync(db, "DELETE FROM jobplatform.data_protection_keys");
        await using (var keysLost = new ApiFactory(db, Users, open: true))
            Assert.Equal("redirect to login", await DashboardAsync(keysLost, cookie));
    }

    /// <summary>The dashboard's page as the holder of <paramref name="cookie"/> sees it, or "redirect to login".</summary>
    private static async Task<string> DashboardAsync(ApiFactory api, string cookie)
    {
        using var http = api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard");
        request.Headers.Add("Cookie", cookie);
        using var response = await http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString.Contains("/dashboard/login") == true) return "redirect to login";
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
