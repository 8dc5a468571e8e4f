using System.Diagnostics;

namespace JobPlatform.Tests.Infrastructure;

/// <summary>
/// Starts the real JobPlatform.Worker (the sample jobs the README describes) as a process of its own, on a loopback
/// port the system picks, so that a test can kill it.
/// </summary>
public static class WorkerProcess
{
    public static Process Start(string db, string serverName, TimeSpan lease)
    {
        // Built alongside the tests (the AppHost references it), in the same configuration.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var dll = Repository.PathOf("src", "JobPlatform.Worker", "bin", configuration, "net10.0", "JobPlatform.Worker.dll");
        Assert.True(File.Exists(dll), $"build JobPlatform.Worker first: {dll} is missing");
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ConnectionStrings__jobsdb"] = db,
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["JobPlatform__Processing__ServerName"] = serverName,
                ["JobPlatform__Processing__LeaseDuration"] = lease.ToString("c"),
                ["JobPlatform__Processing__PollInterval"] = "00:00:00.200",
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
