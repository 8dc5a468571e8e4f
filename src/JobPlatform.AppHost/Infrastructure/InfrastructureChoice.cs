namespace JobPlatform.AppHost.Infrastructure;

/// <summary>
/// What the AppHost decided at start, and why (shown in the log and on the "infrastructure" resource of the
/// Aspire dashboard).
/// </summary>
/// <param name="Mode">Containers or local executables, for PostgreSQL (unless given), Prometheus and Grafana.</param>
/// <param name="ExternalDatabase">A <c>ConnectionStrings:jobsdb</c> was given: that database is used and none is started.</param>
/// <param name="Reason">One sentence a user can act on.</param>
public sealed record InfrastructureChoice(InfrastructureMode Mode, bool ExternalDatabase, string Reason)
{
    /// <summary>The mode in the words of the dashboard's state column.</summary>
    public string Title => Mode == InfrastructureMode.Containers ? "Containers" : "Local executables";
}
