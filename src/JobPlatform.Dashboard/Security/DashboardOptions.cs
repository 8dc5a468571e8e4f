namespace JobPlatform.Dashboard.Security;

/// <summary>
/// <c>JobPlatform:Dashboard</c>: who may log in. Login is required outside Development (and in Development once a
/// user is configured); <see cref="RequireLogin"/> overrides that.
/// </summary>
public sealed class DashboardOptions
{
    public const string Section = "JobPlatform:Dashboard";

    /// <summary>Users, e.g. <c>JobPlatform__Dashboard__Users__0__Name=ops</c>, <c>__Password=…</c>, <c>__Role=admin</c>.</summary>
    public List<DashboardUser> Users { get; set; } = [];

    public bool? RequireLogin { get; set; }

    /// <summary>Optional sign-in through an OpenID Connect provider, with roles mapped from a claim.</summary>
    public DashboardSingleSignOn OpenIdConnect { get; set; } = new();

    /// <summary>
    /// Where a job's trace can be seen, with <c>{traceId}</c> in it, e.g. the Aspire dashboard's
    /// <c>http://localhost:15080/traces/detail/{traceId}</c> (the AppHost sets it). Without it no trace link is shown.
    /// </summary>
    public string? TraceUrl { get; set; }
}
