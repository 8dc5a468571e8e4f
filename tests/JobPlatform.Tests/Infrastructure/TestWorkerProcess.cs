using System.Diagnostics;

namespace JobPlatform.Tests.Infrastructure;

/// <summary>Starts JobPlatform.TestWorker, a real worker process a test may kill.</summary>
public static class TestWorkerProcess
{
    /// <summary>Arguments after the connection string: [lease seconds] [--schedule] (see its Program.cs).</summary>
    public static Process Start(string db, params string[] arguments)
    {
        var dll = Path.Combine(
            AppContext.BaseDirectory.Replace($"{Path.DirectorySeparatorChar}JobPlatform.Tests{Path.DirectorySeparatorChar}",
                $"{Path.DirectorySeparatorChar}JobPlatform.TestWorker{Path.DirectorySeparatorChar}"),
            "JobPlatform.TestWorker.dll");
        Assert.True(File.Exists(dll), $"build JobPlatform.TestWorker first: {dll} is missing");
        var process = Process.Start(new ProcessStartInfo("dotnet", [dll, db, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
