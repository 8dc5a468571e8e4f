using Microsoft.Extensions.Configuration;

namespace JobPlatform.AppHost.Infrastructure;

/// <summary>
/// Decides, once at start: an explicit <c>ConnectionStrings:jobsdb</c> wins for the database;
/// <c>JobPlatform:Infrastructure</c> (<c>containers</c>, <c>local</c> or <c>auto</c>, the default) forces a mode;
/// otherwise containers when a container runtime answers, else the programs installed on this machine.
/// </summary>
public static class InfrastructureSelector
{
    public const string SettingName = "JobPlatform:Infrastructure";

    /// <param name="containerRuntimeWorks">Asked only when the setting does not decide; returns whether the runtime
    /// answered and, when not, what it said.</param>
    public static InfrastructureChoice Choose(IConfiguration configuration, Func<(bool Works, string Detail)> containerRuntimeWorks)
    {
        var external = !string.IsNullOrWhiteSpace(configuration.GetConnectionString("jobsdb"));
        var database = external ? "ConnectionStrings:jobsdb is given, so that database is used; " : "";
        var setting = configuration[SettingName]?.Trim();

        switch (setting?.ToLowerInvariant())
        {
            case "containers":
                return new(InfrastructureMode.Containers, external, $"{database}{SettingName} is 'containers'.");
            case "local":
                return new(InfrastructureMode.LocalExecutables, external, $"{database}{SettingName} is 'local'.");
            case null or "" or "auto":
                var (works, detail) = containerRuntimeWorks();
                return works
                    ? new(InfrastructureMode.Containers, external, $"{database}a container runtime answered ({detail}).")
                    : new(InfrastructureMode.LocalExecutables, external,
                        $"{database}no container runtime answered ({detail}), so the programs installed on this machine are used.");
            default:
                throw new DistributedApplicationException(
                    $"{SettingName} is '{setting}'; use 'auto' (the default), 'containers' or 'local'.");
        }
    }
}
