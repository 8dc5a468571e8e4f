using Microsoft.Extensions.Configuration;
using System.Diagnostics;

/// <summary>
/// Decides whether this machine can run containers. Aspire would otherwise wait for a missing runtime;
/// without one we run the api and workers alone against an existing PostgreSQL.
/// <c>JobPlatform:UseContainers</c> (true/false) overrides the probe.
/// </summary>
internal static class ContainerRuntimeProbe
{
    public static bool IsAvailable(IConfiguration configuration)
    {
        if (bool.TryParse(configuration["JobPlatform:UseContainers"], out var configured)) return configured;

        // Aspire's own setting names the runtime (docker by default, or podman).
        var runtime = configuration["ASPIRE_CONTAINER_RUNTIME"] ?? configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"] ?? "docker";
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null) return false;
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // the runtime's client is not installed
        }
    }
}
