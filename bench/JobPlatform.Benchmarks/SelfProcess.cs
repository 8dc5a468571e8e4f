using System.Diagnostics;

namespace JobPlatform.Benchmarks;

/// <summary>
/// Starts this program again, in a process of its own, with other arguments; also from a test that loaded the
/// program as a library. Its output is redirected: the caller reads (or drains) it.
/// </summary>
public static class SelfProcess
{
    public static Process Start(IEnumerable<string> arguments, IDictionary<string, string>? environment = null, bool redirectInput = false)
    {
        var self = Environment.ProcessPath!;
        var program = typeof(SelfProcess).Assembly.Location;
        // Our own executable runs directly; otherwise (the dotnet host, a test host) the dotnet host runs the program's path.
        var direct = Path.GetFileNameWithoutExtension(self) == Path.GetFileNameWithoutExtension(program);
        var start = new ProcessStartInfo(direct ? self : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
        };
        if (!direct) start.ArgumentList.Add(program);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return Process.Start(start)!;
    }
}
