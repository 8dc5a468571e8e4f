using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace JobPlatform.Tests.AppHost;

/// <summary>
/// The AppHost as the tests run it: local-executable mode (no container runtime here), its data in the test's own
/// folder; started, with the api and the workers healthy.
/// </summary>
internal static class LocalAppHost
{
    /// <summary>The settings that expose the platform on the network, with the key and password it then needs.</summary>
    public static string[] Exposed(string apiKey, string dashboardPassword) =>
        ["JobPlatform:ExposeOnNetwork=true", $"Parameters:api-key={apiKey}", $"Parameters:dashboard-password={dashboardPassword}"];

    /// <param name="settings">More settings, such as <c>ConnectionStrings:jobsdb</c> for a given database, or <see cref="Exposed"/>.</param>
    public static async Task<DistributedApplication> StartAsync(string folder, CancellationToken cancellationToken, params string[] settings)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.JobPlatform_AppHost>(
            ["JobPlatform:Infrastructure=local", $"JobPlatform:Local:DataDirectory={folder}", .. settings],
            cancellationToken);
        var app = await builder.BuildAsync(cancellationToken);
        try
        {
            await app.StartAsync(cancellationToken);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("api", cancellationToken);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("worker", cancellationToken);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }
}
