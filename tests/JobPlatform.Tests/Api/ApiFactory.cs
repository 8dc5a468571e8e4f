extern alias api;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace JobPlatform.Tests.Api;

/// <summary>
/// The real api, in memory, against a test database, in Production with one admin and one read-only key.
/// Its clients send the admin key unless a test says otherwise.
/// </summary>
/// <param name="settings">More configuration, such as dashboard users.</param>
/// <param name="open">In Development without any key: the api open to whoever reaches it.</param>
/// <param name="configuration">A configuration source added last (one a test changes while the api runs).</param>
public sealed class ApiFactory(string connectionString, IReadOnlyDictionary<string, string>? settings = null, bool open = false,
    Microsoft.Extensions.Configuration.IConfigurationSource? configuration = null)
    : WebApplicationFactory<api::Program>
{
    public const string AdminKey = "test-admin-key-0123456789abcdef0123", ReadOnlyKey = "test-read-key-0123456789abcdef01234";

    // Every test that disposes this factory also fails on an exception the api did not handle, whatever it asserts.
    private readonly FakeLogCollector _errors = FakeLogCollector.Create(new FakeLogCollectorOptions
    {
        FilteredLevels = new HashSet<LogLevel> { LogLevel.Error, LogLevel.Critical },
    });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(open ? "Development" : "Production");
        builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(new FakeLoggerProvider(_errors)));
        // The dashboard's files (its styles, Fluent UI's, Blazor's script) from the build's static web assets, as
        // Development would find them; the tests run the api from its project folder, not a published one.
        builder.UseStaticWebAssets();
        builder.UseSetting("ConnectionStrings:jobsdb", connectionString);
        if (!open)
        {
            builder.UseSetting("JobPlatform:Api:AdminKeys:0", AdminKey);
            builder.UseSetting("JobPlatform:Api:ReadOnlyKeys:0", ReadOnlyKey);
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
        if (configuration is not null) builder.ConfigureAppConfiguration(config => config.Add(configuration));
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
    }

    /// <summary>Serves on a real socket (Kestrel, a free loopback port), for a browser or raw HTTP; returns the base address.</summary>
    public string StartOnKestrel()
    {
        UseKestrel(0);
        StartServer();
        return Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    /// <summary>A client that sends <paramref name="key"/> (none when null).</summary>
    public HttpClient CreateClient(string? key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Npgsql.NpgsqlConnection.ClearAllPools(); // see EngineHost.DisposeAsync

        // ASP.NET Core logs an error only for what nothing handled: a 500, or a failure after the answer began.
        var unhandled = _errors.GetSnapshot().Where(e => e.Category?.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal) == true).ToList();
        if (unhandled.Count > 0)
            throw new Xunit.Sdk.XunitException(
                $"The api logged {unhandled.Count} unhandled exception(s); the first: {unhandled[0].Message}{Environment.NewLine}{unhandled[0].Exception}");
    }
}
