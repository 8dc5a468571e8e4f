using Microsoft.Playwright;

namespace JobPlatform.Tests.Dashboard;

/// <summary>
/// Headless Chromium from the machine (Debian: apt-get install chromium; .ci/run installs it), driven by
/// Playwright's bundled driver; Playwright never downloads a browser here. <c>JOBPLATFORM_CHROMIUM</c> names
/// another executable.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private Browser(IPlaywright playwright, IBrowser chromium) => (_playwright, Chromium) = (playwright, chromium);

    public IBrowser Chromium { get; }

    /// <summary>Where screenshots go: beside the test results.</summary>
    public static string ScreenshotFolder { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots")).FullName;

    public static async Task<Browser> LaunchAsync()
    {
        var executable = Environment.GetEnvironmentVariable("JOBPLATFORM_CHROMIUM") is { Length: > 0 } given ? given
            : new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("The browser tests need Chromium: apt-get install chromium (or set JOBPLATFORM_CHROMIUM).");
        var playwright = await Playwright.CreateAsync();
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        var chromium = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = executable, Headless = true, Args = ["--no-sandbox"] });
        return new Browser(playwright, chromium);
    }

    public async ValueTask DisposeAsync()
    {
        await Chromium.DisposeAsync();
        _playwright.Dispose();
    }
}
