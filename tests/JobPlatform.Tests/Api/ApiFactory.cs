extern alias api;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace JobPlatform.Tests.Api;

/// <summary>The real api, in memory, against a test database.</summary>
public sealed class ApiFactory(string connectionString) : WebApplicationFactory<api::Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:jobsdb", connectionString);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Npgsql.NpgsqlConnection.ClearAllPools(); // see EngineHost.DisposeAsync
    }
}
