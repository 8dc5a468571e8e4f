using System.ComponentModel;
using System.Diagnostics;
using JobPlatform.AppHost.Local;

namespace JobPlatform.Tests.Infrastructure;

/// <summary>
/// "Another machine" for the tests: a network namespace of the test's own, joined to this one by a veth pair with
/// addresses from 198.18.0.0/15 (reserved for such tests). From inside, this machine is <see cref="HostAddress"/>
/// and loopback is the namespace's own, so a listener on this machine's loopback cannot be reached from there,
/// as from any other machine. Set up as root and torn down on dispose; traffic goes nowhere but over the pair.
/// </summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private readonly string _name, _hostSide;

    /// <summary>This machine's address as the namespace sees it.</summary>
    public string HostAddress { get; }

    private NetworkNamespace(string name, string hostSide, string hostAddress) =>
        (_name, _hostSide, HostAddress) = (name, hostSide, hostAddress);

    /// <summary>Creates one, or returns null with the reason (not root, no <c>ip</c>, namespaces refused).</summary>
    public static async Task<(NetworkNamespace? Namespace, string WhyNot)> TryCreateAsync()
    {
        // Unique per test process and call, within interface names' 15 characters; a /29 of 198.18.0.0/16.
        var id = (Environment.ProcessId * 7 + Interlocked.Increment(ref _created)) % 8000;
        var (name, hostSide, peer) = ($"jp-test-{id}", $"jp{id}h", $"jp{id}n");
        var (third, fourth) = (id / 32, id % 32 * 8);
        var (hostAddress, nsAddress) = ($"198.18.{third}.{fourth + 1}", $"198.18.{third}.{fourth + 2}");
        var created = new NetworkNamespace(name, hostSide, hostAddress);
        string[][] setup =
        [
            ["netns", "add", name],
            ["link", "add", hostSide, "type", "veth", "peer", "name", peer],
            ["link", "set", peer, "netns", name],
            ["addr", "add", $"{hostAddress}/29", "dev", hostSide],
            ["link", "set", hostSide, "up"],
            ["-n", name, "addr", "add", $"{nsAddress}/29", "dev", peer],
            ["-n", name, "link", "set", peer, "up"],
            ["-n", name, "link", "set", "lo", "up"],
        ];
        foreach (var step in setup)
        {
            var (code, output) = await IpAsync(step);
            if (code != 0)
            {
                await created.DisposeAsync();
                return (null, $"ip {string.Join(' ', step)} failed ({code}): {output.Trim()}");
            }
        }
        // A veth pair carries traffic once both ends are up, a moment after they are set up.
        var clock = Stopwatch.StartNew();
        while (!(await IsUpAsync(hostSide, null) && await IsUpAsync(peer, name)))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                await created.DisposeAsync();
                return (null, $"the veth pair {hostSide}/{peer} did not come up");
            }
            await Task.Delay(50);
        }
        return (created, "");
    }

    private static int _created;

    private static async Task<bool> IsUpAsync(string link, string? inNamespace)
    {
        var (code, output) = await IpAsync(inNamespace is null ? ["link", "show", link] : ["-n", inNamespace, "link", "show", link]);
        return code == 0 && output.Contains("state UP", StringComparison.Ordinal);
    }

    /// <summary>curl run inside the namespace; returns its exit code (7: could not connect) and what it printed.</summary>
    public Task<(int ExitCode, string Output)> CurlAsync(params string[] args) =>
        IpAsync(["netns", "exec", _name, "curl", "--silent", "--show-error", "--max-time", "10", .. args]);

    /// <summary>
    /// The HTTP status of a GET from inside the namespace, or null when the connection was refused: nothing listens
    /// there for the namespace. Any other failure (a timeout, say) is the test's problem and throws.
    /// </summary>
    public async Task<int?> StatusOfAsync(string url, params string[] headers)
    {
        var (code, output) = await CurlAsync([.. headers.SelectMany(h => new[] { "-H", h }), "--output", "/dev/null", "--write-out", "%{http_code}", url]);
        return code switch
        {
            0 => int.Parse(output.Trim()),
            7 => null,
            _ => throw new InvalidOperationException($"curl {url} from namespace {_name} failed with {code}: {output}"),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await IpAsync(["link", "del", _hostSide]); // takes its peer with it
        await IpAsync(["netns", "del", _name]);
    }

    /// <summary><c>ip</c> with these arguments: its exit code and output, or -1 when it is not installed.</summary>
    private static async Task<(int Code, string Output)> IpAsync(string[] args)
    {
        try
        {
            return await LocalCommand.RunAsync("ip", args, runAs: null, CancellationToken.None);
        }
        catch (Win32Exception e)
        {
            return (-1, $"ip: {e.Message}");
        }
    }
}
