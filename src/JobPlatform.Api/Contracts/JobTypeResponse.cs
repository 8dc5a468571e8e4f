using System.Text.Json;
using JobPlatform.Jobs.Client;

namespace JobPlatform.Api.Contracts;

/// <summary>A job type some worker offers, with the JSON schema its payload must match and its cluster-wide
/// limits (null: none): at most <c>concurrencyLimit</c> running at once, at most <c>rateLimit</c> starts per
/// <c>rateInterval</c>.</summary>
public sealed record JobTypeResponse(
    string Name, string Queue, int MaxAttempts, JsonElement PayloadSchema, DateTimeOffset UpdatedAt,
    int? ConcurrencyLimit, int? RateLimit, TimeSpan? RateInterval)
{
    public static JobTypeResponse From(JobTypeInfo type) =>
        new(type.Name, type.Queue, type.MaxAttempts, JsonSerializer.Deserialize<JsonElement>(type.PayloadSchema), type.UpdatedAt,
            type.ConcurrencyLimit, type.RateLimit, type.RateInterval);
}
