using System.Diagnostics;

namespace JobPlatform.AppHost.Local;

/// <summary>
/// Runs one of the machine's programs to completion, optionally as another user: PostgreSQL refuses to run as
/// root, so as root its programs run as an ordinary user through <c>runuser</c> (util-linux).
/// </summary>
internal static class LocalCommand
{
    public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    /// <summary>The file and arguments that run <paramref name="file"/> as <paramref name="runAs"/> (or as we are).</summary>
    public static (string File, string[] Args) As(string? runAs, string file, IEnumerable<string> args) =>
        runAs is null ? (file, args.ToArray()) : ("runuser", ["-u", runAs, "--", file, .. args]);

    /// <returns>The exit code and the standard output and error together.</returns>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string file, IEnumerable<string> args, string? runAs, CancellationToken cancellationToken)
    {
        var (command, arguments) = As(runAs, file, args);
        var info = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {command}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, (await output) + (await error));
    }

    /// <summary>Runs a program that must succeed; its output is in the exception otherwise.</summary>
    public static async Task<string> RunCheckedAsync(string file, IEnumerable<string> args, string? runAs, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await RunAsync(file, args, runAs, cancellationToken);
        if (exitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed with exit code {exitCode}: {output.Trim()}");
        return output;
    }
}
