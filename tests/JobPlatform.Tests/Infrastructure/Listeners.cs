using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace JobPlatform.Tests.Infrastructure;

/// <summary>The TCP listeners of this machine (from <c>ss -ltnp</c>) and the processes behind them.</summary>
public static partial class Listeners
{
    public sealed record Listener(string Address, int Port, int Pid, string Program)
    {
        public bool OnLoopback => Address == "localhost" || (IPAddress.TryParse(Address, out var ip) && IPAddress.IsLoopback(ip));
        public override string ToString() => $"{Program} (pid {Pid}) on {Address}:{Port}";
    }

    /// <summary>Every listening TCP socket with its owning processes (one entry per process).</summary>
    public static IReadOnlyList<Listener> All()
    {
        using var ss = Process.Start(new ProcessStartInfo("ss", ["-ltnpH"]) { RedirectStandardOutput = true })!;
        var output = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();
        var listeners = new List<Listener>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var local = columns[3];
            var colon = local.LastIndexOf(':');
            var address = local[..colon].Trim('[', ']');
            address = address.Contains('%') ? address[..address.IndexOf('%')] : address; // 127.0.0.1%lo
            var port = int.Parse(local[(colon + 1)..]);
            foreach (Match user in User().Matches(line))
                listeners.Add(new Listener(address == "*" ? "0.0.0.0" : address, port, int.Parse(user.Groups[2].Value), user.Groups[1].Value));
        }
        return listeners;
    }

    /// <summary>The given processes and all their descendants (from /proc).</summary>
    public static HashSet<int> Tree(IEnumerable<int> roots)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(pid);
            }
            catch (IOException) { } // ended meanwhile
        }
        var tree = new HashSet<int>();
        var pending = new Stack<int>(roots);
        while (pending.TryPop(out var pid))
            if (tree.Add(pid) && children.TryGetValue(pid, out var list))
                foreach (var child in list) pending.Push(child);
        return tree;
    }

    /// <summary>
    /// The DCP processes (Aspire's orchestrator) that serve an AppHost running in process <paramref name="appHost"/>:
    /// DCP detaches from the AppHost (its parent is init) and watches it with <c>--monitor &lt;pid&gt;</c>.
    /// </summary>
    public static IEnumerable<int> DcpOf(int appHost) =>
        Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0).Where(pid =>
        {
            try
            {
                var args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
                return pid > 0 && Path.GetFileName(args[0]) == "dcp" &&
                       args.Zip(args.Skip(1)).Any(pair => pair.First == "--monitor" && pair.Second == appHost.ToString());
            }
            catch (IOException) { return false; }
        });

    [GeneratedRegex("""\("([^"]+)",pid=(\d+),""")]
    private static partial Regex User();
}
