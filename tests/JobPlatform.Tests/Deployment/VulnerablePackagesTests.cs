using System.Diagnostics;
using System.Text.Json;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.Deployment;

/// <summary>
/// No project uses a package with a known vulnerability, directly or transitively, as NuGet's vulnerability data
/// says today (<c>dotnet list package --vulnerable</c>, which reads it from the package source).
/// </summary>
public sealed class VulnerablePackagesTests
{
    [Fact]
    public async Task No_project_depends_on_a_package_with_a_known_vulnerability()
    {
        var info = new ProcessStartInfo("dotnet", ["list", Repository.PathOf("JobPlatform.sln"), "package", "--vulnerable", "--include-transitive", "--format", "json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        Assert.True(process.ExitCode == 0, $"dotnet list package failed ({process.ExitCode}): {await error}{await output}");

        using var report = JsonDocument.Parse(await output);
        var projects = report.RootElement.GetProperty("projects").EnumerateArray().ToArray();
        Assert.True(projects.Length >= 9, $"only {projects.Length} projects were checked");
        var vulnerable =
            from project in projects
            from framework in project.TryGetProperty("frameworks", out var frameworks) ? frameworks.EnumerateArray() : Enumerable.Empty<JsonElement>()
            from kind in new[] { "topLevelPackages", "transitivePackages" }
            from package in framework.TryGetProperty(kind, out var packages) ? packages.EnumerateArray() : Enumerable.Empty<JsonElement>()
            from vulnerability in package.GetProperty("vulnerabilities").EnumerateArray()
            select $"{Path.GetFileName(project.GetProperty("path").GetString())}: {package.GetProperty("id").GetString()} " +
                   $"{package.GetProperty("resolvedVersion").GetString()} ({vulnerability.GetProperty("severity").GetString()}, {vulnerability.GetProperty("advisoryurl").GetString()})";
        Assert.Empty(vulnerable);
    }
}
