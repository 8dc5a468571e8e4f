using Microsoft.Extensions.Configuration;

namespace JobPlatform.AppHost.Security;

/// <summary>
/// Who can reach the platform the AppHost runs. By default this machine only: every listener is on loopback, so the
/// api and the jobs dashboard need no key and no login (the seed's curl commands work as they are).
/// <c>JobPlatform:ExposeOnNetwork=true</c> opts in to other machines: the api then listens on every interface and
/// needs an API key, the dashboard a login, both generated once and kept in the AppHost's user secrets.
/// </summary>
public static class NetworkExposure
{
    public const string Setting = "JobPlatform:ExposeOnNetwork";

    /// <summary>The address every interface listens on, for what must be reached from elsewhere.</summary>
    public const string AllInterfaces = "0.0.0.0";

    public static bool IsExposed(IConfiguration configuration) => configuration.GetValue<bool>(Setting);

    /// <summary>
    /// The api's access: on loopback and open by default; exposed, on every interface behind a generated key
    /// (parameter <c>api-key</c>) and a dashboard login (user <c>admin</c>, parameter <c>dashboard-password</c>).
    /// </summary>
    /// <returns>The key parameter when exposed (the AppHost's own commands send it), else null.</returns>
    public static IResourceBuilder<ParameterResource>? WithNetworkExposure(this IResourceBuilder<ProjectResource> api, bool exposed)
    {
        var builder = api.ApplicationBuilder;
        if (!exposed)
        {
            Console.WriteLine("info: JobPlatform.AppHost: access: this machine only (every listener on loopback); the api and the jobs " +
                              $"dashboard need no key or login. Set {Setting}=true to let other machines in, behind a key and a login.");
            return null;
        }

        var apiKey = builder.AddParameter("api-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true)
            .WithDescription("Admin API key of the JobPlatform api: send it in the X-Api-Key header.");
        var password = builder.AddParameter("dashboard-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true)
            .WithDescription("Password of the jobs dashboard's user 'admin'.");
        api.WithEndpoint("http", endpoint => endpoint.TargetHost = AllInterfaces)
            .WithEnvironment("JobPlatform__Api__AdminKeys__0", apiKey)
            .WithEnvironment("JobPlatform__Dashboard__Users__0__Name", "admin")
            .WithEnvironment("JobPlatform__Dashboard__Users__0__Password", password)
            .WithEnvironment("JobPlatform__Dashboard__Users__0__Role", "admin");
        Console.WriteLine("warn: JobPlatform.AppHost: access: exposed on the network (every interface). The api needs the key in the " +
                          "'api-key' parameter (header X-Api-Key), the jobs dashboard the user 'admin' with the 'dashboard-password' " +
                          "parameter: both are in the Aspire dashboard's parameters and the AppHost's user secrets.");
        return apiKey;
    }
}
