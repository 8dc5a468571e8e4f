using System.Globalization;

namespace JobPlatform.Benchmarks.Idle;

/// <summary>A process's CPU time and resident memory, as Linux's /proc tells them.</summary>
public readonly record struct ProcessUsage(TimeSpan Cpu, long RssBytes)
{
    /// <summary>Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux for every architecture we run on).</summary>
    private const double TicksPerSecond = 100;

    public static ProcessUsage Read(int pid)
    {
        // Fields after the command name (which may hold spaces, inside parentheses): utime is the 14th field, stime the 15th.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        var rss = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kb = long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return new ProcessUsage(TimeSpan.FromSeconds(ticks / TicksPerSecond), kb * 1024);
    }
}
