extern alias api;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;

namespace JobPlatform.Tests.Api;

/// <summary>
/// The real api, in memory, against a test database, in Production with one admin and one read-only key.
/// Its clients send the admin key unless a test says otherwise.
/// </summary>
/// <param name="settings">More configuration, such as dashboard users.</param>
public sealed class ApiFactory(string connectionString, IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<api::Program>
{
    public const string AdminKey = "test-admin-key-0123456789", ReadOnlyKey = "test-read-key-0123456789";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // The dashboard's files (its styles, Fluent UI's, Blazor's script) from the build's static web assets, as
        // Development would find them; the tests run the api from its project folder, not a published one.
        builder.UseStaticWebAssets();
        builder.UseSetting("ConnectionStrings:jobsdb", connectionString);
        builder.UseSetting("JobPlatform:Api:AdminKeys:0", AdminKey);
        builder.UseSetting("JobPlatform:Api:ReadOnlyKeys:0", ReadOnlyKey);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
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
    }
}
