namespace JobPlatform.Api.Contracts;

/// <summary>One entry of Prometheus's HTTP service discovery format (<c>http_sd_configs</c>).</summary>
public sealed record PrometheusTargetGroup(IReadOnlyList<string> Targets, IReadOnlyDictionary<string, string> Labels);
