using System.Text.Json;
using JobPlatform.Jobs.Client;

namespace JobPlatform.Api.Contracts;

/// <summary>A job type some worker offers, with the JSON schema its payload must match.</summary>
public sealed record JobTypeResponse(string Name, string Queue, int MaxAttempts, JsonElement PayloadSchema, DateTimeOffset UpdatedAt)
{
    public static JobTypeResponse From(JobTypeInfo type) =>
        new(type.Name, type.Queue, type.MaxAttempts, JsonSerializer.Deserialize<JsonElement>(type.PayloadSchema), type.UpdatedAt);
}
