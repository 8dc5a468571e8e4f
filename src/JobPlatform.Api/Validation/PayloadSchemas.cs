using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;
using JobPlatform.Jobs.Client;

namespace JobPlatform.Api.Validation;

/// <summary>
/// Checks a payload against the JSON schema its job type's workers registered (JsonSchema.Net), so a payload a
/// worker could not read is refused with 400 naming the field, instead of failing later on the worker. The schemas
/// of all types are loaded together and kept for a few seconds: a worker that changes a type is seen quickly
/// without a query per request. One load at a time, shared by every caller that needs it.
/// </summary>
public sealed class PayloadSchemas(IServiceScopeFactory scopeFactory, TimeProvider time, ILogger<PayloadSchemas> logger)
    : JobPlatform.Dashboard.IPayloadCheck
{
    /// <summary>How long a load answers for the types it found.</summary>
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a load answers for a type it did not find: a type a worker has just registered is seen within a
    /// second, and requests naming a type no worker offers cost one query a second, not one each.
    /// </summary>
    private static readonly TimeSpan MissFresh = TimeSpan.FromSeconds(1);

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };
    private readonly Lock _gate = new();
    private Loaded _loaded = new(new Dictionary<string, JsonSchema?>(), DateTimeOffset.MinValue);
    private Task<Loaded>? _loading;
    private readonly ConcurrentDictionary<string, bool> _unreadable = new();

    /// <summary>The schemas of every registered type (null: a schema that could not be read), and when they were read.</summary>
    private sealed record Loaded(IReadOnlyDictionary<string, JsonSchema?> Schemas, DateTimeOffset At);

    /// <summary>
    /// The payload's errors keyed by field (<c>payload.name</c>), empty when it fits; also empty for a type no
    /// worker offers, which the engine refuses with the list of known types.
    /// </summary>
    public async Task<Dictionary<string, string[]>> ValidateAsync(string type, JsonElement payload, CancellationToken cancellationToken) =>
        Validate(await SchemaAsync(type, cancellationToken), payload);

    /// <summary>As <see cref="ValidateAsync"/> against a schema from <see cref="SchemaAsync"/> (null: nothing to check).</summary>
    public static Dictionary<string, string[]> Validate(JsonSchema? schema, JsonElement payload, string prefix = "payload")
    {
        // What no schema catches (duplicate properties, unpaired surrogates, numbers beyond a double) comes first,
        // for every type: the schema's evaluation would read such a payload wrongly or throw.
        var errors = PayloadRules.Problems(payload, prefix).GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray());
        if (errors.Count > 0 || schema is null) return errors;

        EvaluationResults result;
        try
        {
            result = schema.Evaluate(payload, Evaluation);
        }
        catch (Exception e) when (e is OverflowException or FormatException)
        {
            // JsonSchema.Net compares numbers as decimals: one beyond ±7.9e28 cannot be compared with a bound, and is
            // beyond every integer type's range anyway.
            return Unbounded(payload, prefix) is { Count: > 0 } huge ? huge : throw new InvalidOperationException("Evaluating the payload schema failed.", e);
        }
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

    /// <summary>The numbers of a payload that a decimal cannot hold, by field.</summary>
    private static Dictionary<string, string[]> Unbounded(JsonElement element, string path)
    {
        var found = new Dictionary<string, string[]>();
        void Visit(JsonElement e, string at)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in e.EnumerateObject()) Visit(property.Value, $"{at}.{property.Name}");
                    break;
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var item in e.EnumerateArray()) Visit(item, $"{at}[{index++}]");
                    break;
                case JsonValueKind.Number when !e.TryGetDecimal(out _):
                    found[at] = ["The number is too large for this field."];
                    break;
            }
        }
        Visit(element, path);
        return found;
    }

    /// <summary>The registered schema of <paramref name="type"/>, or null when no worker offers it.</summary>
    public async Task<JsonSchema?> SchemaAsync(string type, CancellationToken cancellationToken)
    {
        var loaded = Volatile.Read(ref _loaded);
        if (!Answers(loaded, type)) loaded = await LoadAsync().WaitAsync(cancellationToken);
        return loaded.Schemas.GetValueOrDefault(type);
    }

    private bool Answers(Loaded loaded, string type) =>
        time.GetUtcNow() - loaded.At < (loaded.Schemas.ContainsKey(type) ? Fresh : MissFresh);

    /// <summary>The load under way, or a new one: concurrent callers share one query (a failed one fails them all, once).</summary>
    private Task<Loaded> LoadAsync()
    {
        lock (_gate) return _loading ??= Task.Run(async () =>
        {
            try
            {
                var loaded = await ReadAsync();
                Volatile.Write(ref _loaded, loaded);
                return loaded;
            }
            finally
            {
                lock (_gate) _loading = null;
            }
        });
    }

    private async Task<Loaded> ReadAsync()
    {
        var at = time.GetUtcNow();
        await using var scope = scopeFactory.CreateAsyncScope();
        // Not the caller's token: the load serves every caller waiting for it.
        var types = await scope.ServiceProvider.GetRequiredService<IJobClient>().GetJobTypesAsync(CancellationToken.None);
        return new Loaded(types.ToDictionary(t => t.Name, t => Build(t.Name, t.PayloadSchema)), at);
    }

    /// <summary>
    /// Each schema is built with a registry of its own: JsonSchema.Net's global registry is not safe for concurrent
    /// builds (it was corrupted by two at once, and every later build failed), would keep every schema ever built,
    /// and refuses a second schema with the same <c>$id</c>.
    /// </summary>
    private JsonSchema? Build(string type, string schema)
    {
        try
        {
            return JsonSchema.FromText(schema, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        }
        catch (Exception e)
        {
            // The worker's own check of its payloads still applies; the api cannot do it for this type. Said once
            // per schema, not at every load.
            if (_unreadable.TryAdd(schema, true))
                logger.LogWarning(e, "The payload schema registered for job type {Type} cannot be read; its payloads are not checked here.", type);
            return null;
        }
    }
}
