using System.Text.Json;

namespace JobPlatform.Dashboard;

/// <summary>
/// Checks a payload against its job type's schema, the same way the api does (the api provides it), so the
/// dashboard's enqueue form refuses what the api would refuse before anything is sent to the engine.
/// </summary>
public interface IPayloadCheck
{
    /// <returns>Errors keyed by field ("payload.name"); empty when the payload fits.</returns>
    Task<Dictionary<string, string[]>> ValidateAsync(string type, JsonElement payload, CancellationToken cancellationToken);
}
