using Microsoft.Extensions.Configuration;
using System.Diagnostics;

namespace JobPlatform.AppHost.Infrastructure;

/// <summary>
/// Asks the container runtime whether it works. Aspire would otherwise wait for a missing runtime; without one
/// the AppHost runs the programs installed on this machine instead.
/// </summary>
public static class ContainerRuntimeProbe
{
    public static (bool Works, string Detail) Probe(IConfiguration configuration)
    {
        // Aspire's own setting names the runtime (docker by default, or podman).
        var runtime = configuration["ASPIRE_CONTAINER_RUNTIME"] ?? configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"] ?? "docker";
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null) return (false, $"{runtime} could not be started");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return (false, $"'{runtime} info' did not answer within 10 s");
            }
            return process.ExitCode == 0
                ? (true, $"{runtime} {output.Result.Trim()}")
                : (false, $"'{runtime} info' failed: {FirstLine(error.Result)}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (false, $"'{runtime}' is not installed");
        }
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no output";
}
