using System.Diagnostics;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.Deployment;

/// <summary>
/// compose's preflight (deploy/compose/preflight.sh), run with this machine's POSIX shell as the container would run
/// it: published beyond loopback, the stack refuses default and short secrets and says how to fix them; on loopback
/// the defaults do; the api's admin key is the given one, or one generated once and kept.
/// </summary>
public sealed class ComposePreflightTests
{
    private static readonly Dictionary<string, string> StrongSecrets = new()
    {
        ["POSTGRES_PASSWORD"] = "a-long-random-postgres-password-1",
        ["JOBPLATFORM_MIGRATOR_PASSWORD"] = "a-long-random-migrator-password-4",
        ["JOBPLATFORM_DB_PASSWORD"] = "a-long-random-app-role-password-2",
        ["GRAFANA_ADMIN_PASSWORD"] = "a-long-random-grafana-password-3",
    };

    [Fact]
    public void On_loopback_the_defaults_start_and_a_key_is_generated_once()
    {
        using var secrets = new TemporaryFolder();
        var first = Run(secrets.Path, new() { ["POSTGRES_PASSWORD"] = "jobplatform", ["GRAFANA_ADMIN_PASSWORD"] = "admin" });
        Assert.True(first.ExitCode == 0, first.Output);
        var key = File.ReadAllText(Path.Combine(secrets.Path, "api-key"));
        Assert.Matches("^[A-Za-z0-9]{40}$", key);
        Assert.Contains(key, first.Output); // the newcomer finds it with: docker compose logs preflight

        Assert.Equal(0, Run(secrets.Path, []).ExitCode);
        Assert.Equal(key, File.ReadAllText(Path.Combine(secrets.Path, "api-key")));
    }

    [Fact]
    public void A_given_key_is_used_and_a_generated_one_replaces_it_once_it_is_unset()
    {
        using var secrets = new TemporaryFolder();
        const string given = "given-key-0123456789abcdef0123456789";
        Assert.Equal(0, Run(secrets.Path, new() { ["JOBPLATFORM_API_KEY"] = given }).ExitCode);
        Assert.Equal(given, File.ReadAllText(Path.Combine(secrets.Path, "api-key")));

        Assert.Equal(0, Run(secrets.Path, []).ExitCode);
        Assert.NotEqual(given, File.ReadAllText(Path.Combine(secrets.Path, "api-key")));
    }

    [Theory]
    [InlineData("POSTGRES_PASSWORD", "jobplatform", "the default 'jobplatform'")]
    [InlineData("JOBPLATFORM_MIGRATOR_PASSWORD", "jobplatform_migrator", "the default 'jobplatform_migrator'")]
    [InlineData("JOBPLATFORM_DB_PASSWORD", "jobplatform_app", "the default 'jobplatform_app'")]
    [InlineData("GRAFANA_ADMIN_PASSWORD", "admin", "the default 'admin'")]
    [InlineData("GRAFANA_ADMIN_PASSWORD", "short-secret", "12 characters long")]
    [InlineData("JOBPLATFORM_API_KEY", "short-api-key", "13 characters long")]
    public void Published_beyond_loopback_a_default_or_short_secret_stops_the_stack_with_the_fix(string name, string value, string why)
    {
        using var secrets = new TemporaryFolder();
        var settings = new Dictionary<string, string>(StrongSecrets) { ["JOBPLATFORM_PUBLISH_ADDRESS"] = "0.0.0.0", [name] = value };

        var (code, output) = Run(secrets.Path, settings);

        Assert.NotEqual(0, code);
        Assert.Contains($"{name} is {why}", output);
        Assert.Contains("0.0.0.0", output);
        Assert.Contains("openssl rand -hex 24", output);
        Assert.False(File.Exists(Path.Combine(secrets.Path, "api-key")), "a refused stack got a key");
    }

    [Fact]
    public void Published_beyond_loopback_with_strong_secrets_it_starts()
    {
        using var secrets = new TemporaryFolder();
        var (code, output) = Run(secrets.Path, new(StrongSecrets) { ["JOBPLATFORM_PUBLISH_ADDRESS"] = "0.0.0.0" });
        Assert.True(code == 0, output);
    }

    private static (int ExitCode, string Output) Run(string secrets, Dictionary<string, string> settings)
    {
        var info = new ProcessStartInfo("/bin/sh", [Repository.PathOf("deploy", "compose", "preflight.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment.Clear(); // only what compose would pass
        info.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        info.Environment["JOBPLATFORM_SECRETS_DIR"] = secrets;
        foreach (var (key, value) in settings) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error);
    }
}
