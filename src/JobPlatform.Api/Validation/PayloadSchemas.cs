using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;
using JobPlatform.Jobs.Client;

namespace JobPlatform.Api.Validation;

/// <summary>
/// Checks a payload against the JSON schema its job type's workers registered (JsonSchema.Net), so a payload a
/// worker could not read is refused with 400 naming the field, instead of failing later on the worker. Schemas
/// are cached for a few seconds: a worker that changes a type is seen quickly without a query per request.
/// </summary>
public sealed class PayloadSchemas(IServiceScopeFactory scopeFactory, TimeProvider time) : JobPlatform.Dashboard.IPayloadCheck
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(10);
    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };
    private readonly ConcurrentDictionary<string, (JsonSchema? Schema, DateTimeOffset LoadedAt)> _cache = new();

    /// <summary>
    /// The payload's errors keyed by field (<c>payload.name</c>), empty when it fits; also empty for a type no
    /// worker offers, which the engine refuses with the list of known types.
    /// </summary>
    public async Task<Dictionary<string, string[]>> ValidateAsync(string type, JsonElement payload, CancellationToken cancellationToken) =>
        Validate(await SchemaAsync(type, cancellationToken), payload);

    /// <summary>As <see cref="ValidateAsync"/> against a schema from <see cref="SchemaAsync"/> (null: nothing to check).</summary>
    public static Dictionary<string, string[]> Validate(JsonSchema? schema, JsonElement payload, string prefix = "payload")
    {
        var errors = new Dictionary<string, string[]>();
        if (schema is null) return errors;

        var result = schema.Evaluate(payload, Evaluation);
        if (result.IsValid) return errors;
        foreach (var detail in (result.Details ?? []).Prepend(result).Where(d => d.Errors is { Count: > 0 }))
        {
            var field = prefix + detail.InstanceLocation.ToString().Replace('/', '.');
            var messages = detail.Errors!.Values.ToArray();
            errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, .. messages] : messages;
        }
        if (errors.Count == 0) errors[prefix] = ["The payload does not match the job type's schema."];
        return errors;
    }

    /// <summary>The registered schema of <paramref name="type"/>, or null when no worker offers it.</summary>
    public async Task<JsonSchema?> SchemaAsync(string type, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(type, out var cached) && now - cached.LoadedAt < Fresh) return cached.Schema;

        await using var scope = scopeFactory.CreateAsyncScope();
        var types = await scope.ServiceProvider.GetRequiredService<IJobClient>().GetJobTypesAsync(cancellationToken);
        foreach (var known in types)
            _cache[known.Name] = (JsonSchema.FromText(known.PayloadSchema), now);
        return _cache.TryGetValue(type, out var loaded) && loaded.LoadedAt == now ? loaded.Schema : null;
    }
}
