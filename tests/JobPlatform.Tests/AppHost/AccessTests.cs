using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using JobPlatform.Testing;
using JobPlatform.Tests.Infrastructure;
using Xunit.Abstractions;

namespace JobPlatform.Tests.AppHost;

/// <summary>
/// Who reaches the platform the AppHost runs (issue 17). By default: this machine, with no key and no login (the
/// seed's curl commands as they are), and no other machine: every listener on loopback, nothing answering from a
/// network namespace standing in for another machine. Exposed (<c>JobPlatform:ExposeOnNetwork</c>): every caller
/// needs credentials, from the other machine and from this one through a relay that makes it look local.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AccessTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task By_default_the_seed_commands_work_verbatim_and_no_other_machine_reaches_anything()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var folder = new TemporaryFolder();
        // Another machine: a network namespace of the test's own, made first, so that its link's address exists when
        // the AppHost's proxies bind (DCP binds "every interface" address by address, as they are at its start).
        var (other, whyNot) = await NetworkNamespace.TryCreateAsync();
        await using var _ = other;
        // The ports of the launch settings (8080 for the api, as the seed had it), not the tests' random ones.
        await using var app = await LocalAppHost.StartAsync(folder.Path, cts.Token,
            $"ConnectionStrings:jobsdb={await postgres.CreateDatabaseAsync()}", "DcpPublisher:RandomizePorts=false");

        // The seed's commands, character for character.
        foreach (var command in new[] { "curl http://localhost:8080/jobs/simple-job?name=MyFirstJob", "curl http://localhost:8080/jobs/long-running-job" })
        {
            var (code, answer, error) = await RunAsync(command);
            Assert.True(code == 0, $"{command}: exit {code}: {answer} {error}");
            var job = JsonDocument.Parse(answer).RootElement;
            Assert.StartsWith("/api/jobs/", job.GetProperty("location").GetString());
            output.WriteLine($"{command} -> {answer}");
        }
        using var api = app.CreateHttpClient("api");
        Assert.Equal(HttpStatusCode.Accepted, (await api.GetAsync("/jobs/simple-job?name=MyFirstJob", cts.Token)).StatusCode);

        // Every listener of the AppHost's processes (its proxies, the api, the workers, Prometheus, PostgreSQL) is on loopback.
        var listeners = AppHostListeners();
        Assert.Contains(listeners, l => l.Port == 8080);
        Assert.All(listeners, l => Assert.True(l.OnLoopback, $"{l} is reachable from other machines"));

        // And from the other machine, none of their ports answers.
        if (other is null)
        {
            output.WriteLine($"No network namespace ({whyNot}): the listener check above stands alone.");
            return;
        }
        foreach (var port in listeners.Select(l => l.Port).Distinct())
            Assert.Null(await other.StatusOfAsync($"http://{other.HostAddress}:{port}/"));
    }

    [Fact]
    public async Task Exposed_on_the_network_every_caller_needs_a_key_or_a_login_whatever_its_address()
    {
        const string key = "exposed-test-key-0123456789abcdef", password = "exposed-test-password-0123";
        using var cts = new CancellationTokenSource(Timeout);
        using var folder = new TemporaryFolder();
        var (other, whyNot) = await NetworkNamespace.TryCreateAsync(); // first: see above
        await using var _ = other;
        await using var app = await LocalAppHost.StartAsync(folder.Path, cts.Token,
            [$"ConnectionStrings:jobsdb={await postgres.CreateDatabaseAsync()}", .. LocalAppHost.Exposed(key, password)]);
        var port = app.GetEndpoint("api", "http").Port;
        Assert.Contains(AppHostListeners(), l => l.Port == port && !l.OnLoopback);

        // This machine, through a relay on loopback: the api sees a local caller, and still asks for the key.
        await using (var relay = new PartitionProxy("127.0.0.1", port))
        {
            using var local = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{relay.Port}") };
            Assert.Equal(HttpStatusCode.Unauthorized, (await local.GetAsync("/jobs/simple-job?name=MyFirstJob", cts.Token)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await local.GetAsync("/api/jobs", cts.Token)).StatusCode);
            using var page = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = local.BaseAddress }
                .GetAsync("/dashboard", cts.Token);
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
            Assert.StartsWith("/dashboard/login", page.Headers.Location!.PathAndQuery);
            local.DefaultRequestHeaders.Add("X-Api-Key", key);
            Assert.Equal(HttpStatusCode.Accepted, (await local.GetAsync("/jobs/simple-job?name=Relayed", cts.Token)).StatusCode);
        }

        // Another machine: the same answers.
        if (other is null)
        {
            output.WriteLine($"No network namespace ({whyNot}): the relay above stands for the other machine.");
            return;
        }
        var url = $"http://{other.HostAddress}:{port}";
        Assert.Equal(401, await other.StatusOfAsync($"{url}/jobs/simple-job?name=MyFirstJob"));
        Assert.Equal(401, await other.StatusOfAsync($"{url}/api/jobs"));
        Assert.Equal(302, await other.StatusOfAsync($"{url}/dashboard"));
        Assert.Equal(202, await other.StatusOfAsync($"{url}/jobs/simple-job?name=Remote", $"X-Api-Key: {key}"));
    }

    /// <summary>
    /// The listeners of the AppHost (in this test process) and of the processes it started: DCP (with its proxies)
    /// and everything DCP runs.
    /// </summary>
    private static IReadOnlyList<Listeners.Listener> AppHostListeners()
    {
        var tree = Listeners.Tree([Environment.ProcessId, .. Listeners.DcpOf(Environment.ProcessId)]);
        return Listeners.All().Where(l => tree.Contains(l.Pid)).ToList();
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string command)
    {
        var words = command.Split(' ');
        using var process = Process.Start(new ProcessStartInfo(words[0], words[1..]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var answer = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await answer, await error);
    }
}
