extern alias api;

using System.Net;
using System.Text.RegularExpressions;
using JobPlatform.Dashboard.Security;
using JobPlatform.Tests.Api;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace JobPlatform.Tests.Dashboard;

/// <summary>
/// The dashboard's login (issue 17): PBKDF2 hashes in Identity's format, a lockout per name with a logged warning,
/// plain passwords refused outside Development, and a user removed or demoted in the configuration losing access at
/// once, on the next request.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class DashboardLoginTests(PostgresFixture postgres)
{
    private sealed class Users(params DashboardUser[] users) : IOptionsMonitor<DashboardOptions>
    {
        public DashboardOptions CurrentValue { get; set; } = new() { Users = [.. users] };
        public DashboardOptions Get(string? name) => CurrentValue;
        public IDisposable? OnChange(Action<DashboardOptions, string?> listener) => null;
    }

    private static DashboardUser Ops(string role = DashboardRoles.Admin) =>
        new() { Name = "ops", PasswordHash = DashboardLogin.HashPassword("right-password"), Role = role };

    [Fact]
    public void A_hash_in_Identitys_format_signs_in_with_its_password_only()
    {
        var hash = DashboardLogin.HashPassword("right-password");
        Assert.StartsWith("AQAAAAIAAYag", hash); // Identity v3: PBKDF2 with HMAC-SHA512, 100,000 iterations
        var login = new DashboardLogin(new Users(Ops()), TimeProvider.System, new FakeLogger<DashboardLogin>());

        Assert.Equal(DashboardLogin.Outcome.SignedIn, login.SignIn("ops", "right-password", "203.0.113.1").Outcome);
        Assert.True(login.SignIn("ops", "right-password", null).User!.IsInRole(DashboardRoles.Admin));
        Assert.Equal(DashboardLogin.Outcome.Wrong, login.SignIn("ops", "wrong-password", null).Outcome);
        Assert.Equal(DashboardLogin.Outcome.Wrong, login.SignIn("nobody", "right-password", null).Outcome);
    }

    [Fact]
    public void The_hash_password_command_prints_a_hash_of_what_it_reads()
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, api::JobPlatform.Api.Security.HashPasswordCommand.TryRun(["hash-password"], new StringReader("from-stdin-password\n"), output, error));
        var user = new DashboardUser { Name = "ops", PasswordHash = output.ToString().Trim() };
        var login = new DashboardLogin(new Users(user), TimeProvider.System, new FakeLogger<DashboardLogin>());
        Assert.Equal(DashboardLogin.Outcome.SignedIn, login.SignIn("ops", "from-stdin-password", null).Outcome);

        Assert.Equal(2, api::JobPlatform.Api.Security.HashPasswordCommand.TryRun(["hash-password"], new StringReader(""), TextWriter.Null, error));
        Assert.Contains("No password read", error.ToString());
        Assert.Null(api::JobPlatform.Api.Security.HashPasswordCommand.TryRun([], TextReader.Null, TextWriter.Null, TextWriter.Null));
    }

    [Fact]
    public void Five_wrong_passwords_lock_the_name_for_fifteen_minutes_with_a_warning()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-30T08:00:00Z"));
        var logger = new FakeLogger<DashboardLogin>();
        var login = new DashboardLogin(new Users(Ops()), time, logger);

        for (var i = 0; i < DashboardLogin.MaxFailures; i++) Assert.Equal(DashboardLogin.Outcome.Wrong, login.SignIn("ops", "guess" + i, "203.0.113.9").Outcome);
        // Locked: even the right password is refused, from any address.
        Assert.Equal(DashboardLogin.Outcome.LockedOut, login.SignIn("ops", "right-password", "198.51.100.2").Outcome);
        var warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains("'ops' locked for 15 min after 5 wrong passwords", warning.Message);
        Assert.Contains("203.0.113.9", warning.Message);

        time.Advance(DashboardLogin.Lockout - TimeSpan.FromSeconds(1));
        Assert.Equal(DashboardLogin.Outcome.LockedOut, login.SignIn("ops", "right-password", null).Outcome);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(DashboardLogin.Outcome.SignedIn, login.SignIn("ops", "right-password", null).Outcome);
    }

    [Fact]
    public void Wrong_passwords_for_many_names_are_forgotten_once_older_than_a_lockout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-30T08:00:00Z"));
        var login = new DashboardLogin(new Users(Ops()), time, new FakeLogger<DashboardLogin>()) { MaxTracked = 20 };
        for (var i = 0; i < login.MaxTracked; i++) login.SignIn($"guess-{i}", "x", "203.0.113.7");
        Assert.Equal(login.MaxTracked, login.TrackedNames);

        // Still within the lockout window: nothing may be forgotten yet (a locked name must stay locked).
        for (var i = 0; i < DashboardLogin.MaxFailures; i++) login.SignIn("ops", "wrong", "203.0.113.7");
        Assert.Equal(DashboardLogin.Outcome.LockedOut, login.SignIn("ops", "right-password", null).Outcome);
        Assert.Equal(login.MaxTracked + 1, login.TrackedNames);

        time.Advance(DashboardLogin.Lockout);
        login.SignIn("one-more", "x", "203.0.113.7");
        Assert.Equal(1, login.TrackedNames); // the old ones went; the newest is remembered
    }

    [Fact]
    public void A_signed_in_identity_is_current_only_while_the_configuration_still_says_so()
    {
        var users = new Users(Ops());
        var login = new DashboardLogin(users, TimeProvider.System, new FakeLogger<DashboardLogin>());
        var signedIn = login.SignIn("ops", "right-password", null).User!;
        Assert.True(login.IsCurrent(signedIn));

        users.CurrentValue = new DashboardOptions { Users = [Ops(DashboardRoles.ReadOnly)] };
        Assert.False(login.IsCurrent(signedIn)); // demoted
        users.CurrentValue = new DashboardOptions();
        Assert.False(login.IsCurrent(signedIn)); // removed
    }

    [Fact]
    public async Task Outside_development_a_plain_password_stops_the_start_and_says_how_to_hash_it()
    {
        await using var api = new ApiFactory(await postgres.CreateDatabaseAsync(), new Dictionary<string, string>
        {
            ["JobPlatform:Dashboard:Users:0:Name"] = "ops", ["JobPlatform:Dashboard:Users:0:Password"] = "plain-password",
        });

        var error = Assert.Throws<InvalidOperationException>(() => api.CreateClient());
        Assert.Contains("Users:0:Password is a plain password", error.Message);
        Assert.Contains("hash-password", error.Message);
    }

    [Fact]
    public async Task A_user_removed_or_demoted_in_the_configuration_loses_access_on_the_next_request()
    {
        var users = new Dictionary<string, string>
        {
            ["JobPlatform:Dashboard:Users:0:Name"] = "ops", ["JobPlatform:Dashboard:Users:0:Password"] = "ops-password",
            ["JobPlatform:Dashboard:Users:0:Role"] = "admin",
        };
        // Later changes come from a source over the start's settings, as an edited settings file's would.
        var settings = new ReloadableSettings(new Dictionary<string, string?>());
        // Development (a plain password, a cookie over plain HTTP), with a user, so the login is required.
        await using var api = new ApiFactory(await postgres.CreateDatabaseAsync(), users, open: true, configuration: settings);
        using var http = api.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        // The form, as a browser posts it. (The api runs open, so its default scheme calls every caller "open";
        // the form's token must still match: found by this test, the login endpoints see the dashboard's identity.)
        using var login = await PostLoginAsync(http, "ops", "ops-password");
        Assert.Equal("/dashboard", login.Headers.Location?.OriginalString);
        Assert.Contains("ops (admin)", await http.GetStringAsync("/dashboard"));

        settings.Set("JobPlatform:Dashboard:Users:0:Role", "read-only");
        Assert.Contains("ops (read-only)", await http.GetStringAsync("/dashboard"));

        settings.Set("JobPlatform:Dashboard:Users:0:Name", ""); // no name: no such user
        using var removed = await http.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.StartsWith("/dashboard/login", removed.Headers.Location?.PathAndQuery);
    }

    /// <summary>The login form as a browser posts it: its antiforgery token from the page, then name and password.</summary>
    internal static async Task<HttpResponseMessage> PostLoginAsync(HttpClient http, string name, string password)
    {
        var token = AntiforgeryToken().Match(await http.GetStringAsync("/dashboard/login")).Groups[1].Value;
        return await http.PostAsync("/dashboard/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = name, ["password"] = password, ["__RequestVerificationToken"] = token,
        }));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}

/// <summary>Configuration a test can change while the app runs, as a reloaded settings file would.</summary>
public sealed class ReloadableSettings(IDictionary<string, string?> initial) : Microsoft.Extensions.Configuration.ConfigurationProvider,
    Microsoft.Extensions.Configuration.IConfigurationSource
{
    public override void Load() => Data = new Dictionary<string, string?>(initial, StringComparer.OrdinalIgnoreCase);

    public new void Set(string key, string? value)
    {
        if (value is null) Data.Remove(key);
        else Data[key] = value;
        OnReload();
    }

    public Microsoft.Extensions.Configuration.IConfigurationProvider Build(Microsoft.Extensions.Configuration.IConfigurationBuilder builder) => this;
}
