namespace JobPlatform.Api.Security;

/// <summary>
/// <c>JobPlatform:Api:RateLimit</c>: requests each client (its address and its key's kind) may make, as a token
/// bucket: <see cref="PermitsPerSecond"/> on average, bursts up to <see cref="Burst"/>. Generous by default (a
/// single load test reaches about 7,500 enqueues a second here); health, liveness and metrics are never limited.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "JobPlatform:Api:RateLimit";

    public bool Enabled { get; set; } = true;
    public int PermitsPerSecond { get; set; } = 20_000;
    public int Burst { get; set; } = 40_000;
}
