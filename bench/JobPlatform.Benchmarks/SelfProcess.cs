using System.Diagnostics;

namespace JobPlatform.Benchmarks;

/// <summary>Starts this program again, in a process of its own, with other arguments.</summary>
public static class SelfProcess
{
    public static Process Start(IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Under `dotnet run` the process is the dotnet host, which takes the program's path first.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(SelfProcess).Assembly.Location);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return Process.Start(start)!;
    }
}
