using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

namespace JobPlatform.Jobs.Handlers;

/// <summary>
/// A payload type's DataAnnotations (<c>[Range]</c>, <c>[Required]</c>, <c>[StringLength]</c>, <c>[MinLength]</c>,
/// <c>[MaxLength]</c>, <c>[Length]</c>, <c>[RegularExpression]</c>, <c>[AllowedValues]</c>) and its numbers' CLR
/// ranges, in two places: its JSON schema, so the api refuses a payload the worker would refuse, naming the
/// field; and the worker's own check before the handler runs, for payloads that came another way. An attribute may
/// sit on the property or on a record's constructor parameter.
/// </summary>
public static class PayloadAnnotations
{
    /// <summary>Adds the annotations and CLR ranges to each node of a payload type's schema.</summary>
    public static JsonNode Transform(JsonSchemaExporterContext context, JsonNode node)
    {
        if (node is not JsonObject schema) return node;
        if (context.PropertyInfo is { } property)
            foreach (var attribute in Of(property)) Describe(attribute, property.PropertyType, schema);
        else if (context.TypeInfo.Kind == JsonTypeInfoKind.Object)
            AddRequired(context.TypeInfo, schema);
        // After the property's own [Range], which is narrower and stays.
        if (ClrRanges.TryGetValue(Nullable.GetUnderlyingType(context.TypeInfo.Type) ?? context.TypeInfo.Type, out var range))
        {
            schema["minimum"] ??= range.Min;
            schema["maximum"] ??= range.Max;
        }
        return schema;
    }

    /// <summary>
    /// Checks a deserialized payload (and the objects it holds) against its annotations; throws
    /// <see cref="JobPayloadException"/> naming every field that fails.
    /// </summary>
    public static void Validate(object payload, JsonTypeInfo typeInfo)
    {
        var errors = new List<string>();
        Validate(payload, typeInfo, "payload", errors, depth: 0);
        if (errors.Count > 0) throw new JobPayloadException($"The payload is not valid: {string.Join("; ", errors)}");
    }

    private static void Validate(object instance, JsonTypeInfo typeInfo, string path, List<string> errors, int depth)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object || depth > 32) return;
        var plan = Plans.GetOrAdd(typeInfo, PlanOf);
        foreach (var (property, attributes) in plan.Annotated)
        {
            var value = property.Get!(instance);
            var context = new ValidationContext(instance) { MemberName = property.Name, DisplayName = property.Name };
            foreach (var attribute in attributes)
                if (attribute.GetValidationResult(value, context) is { ErrorMessage: { } message })
                    errors.Add($"{path}.{property.Name}: {message}");
        }
        foreach (var property in plan.Nested)
            if (property.Get!(instance) is { } value)
                Validate(value, typeInfo.Options.GetTypeInfo(value.GetType()), $"{path}.{property.Name}", errors, depth + 1);
    }

    /// <summary>
    /// Per payload type, read once (a job runs this before every handler): the properties with annotations, and
    /// those that may hold an object with annotations of its own. A type with neither costs a lookup.
    /// </summary>
    private sealed record Plan((JsonPropertyInfo Property, ValidationAttribute[] Attributes)[] Annotated, JsonPropertyInfo[] Nested);

    private static readonly ConcurrentDictionary<JsonTypeInfo, Plan> Plans = new();

    private static Plan PlanOf(JsonTypeInfo type)
    {
        var readable = type.Properties.Where(p => p.Get is not null).ToList();
        return new Plan(
            [.. readable.Select(p => (p, Of(p).ToArray())).Where(a => a.Item2.Length > 0)],
            [.. readable.Where(p => !p.PropertyType.IsValueType && p.PropertyType != typeof(string))]);
    }

    /// <summary>The validation attributes of a property, and of the constructor parameter it is read through.</summary>
    private static IEnumerable<ValidationAttribute> Of(JsonPropertyInfo property) =>
        Attributes(property.AttributeProvider).Concat(Attributes(property.AssociatedParameter?.AttributeProvider));

    private static IEnumerable<ValidationAttribute> Attributes(ICustomAttributeProvider? provider) =>
        provider?.GetCustomAttributes(typeof(ValidationAttribute), inherit: true).Cast<ValidationAttribute>() ?? [];

    private static void AddRequired(JsonTypeInfo type, JsonObject schema)
    {
        var required = type.Properties.Where(p => Of(p).OfType<RequiredAttribute>().Any()).Select(p => p.Name).ToList();
        if (required.Count == 0) return;
        var list = schema["required"] as JsonArray ?? [];
        foreach (var name in required.Where(n => !list.Any(r => r?.GetValue<string>() == n))) list.Add(name);
        schema["required"] = list;
    }

    private static void Describe(ValidationAttribute attribute, Type type, JsonObject schema)
    {
        var isText = Nullable.GetUnderlyingType(type) is null && type == typeof(string);
        switch (attribute)
        {
            case RangeAttribute range when IsNumber(type) && range.OperandType is var operand && (operand == typeof(int) || operand == typeof(double)):
                if (AsDecimal(range.Minimum) is { } min) schema[range.MinimumIsExclusive ? "exclusiveMinimum" : "minimum"] = min;
                if (AsDecimal(range.Maximum) is { } max) schema[range.MaximumIsExclusive ? "exclusiveMaximum" : "maximum"] = max;
                break;
            case RequiredAttribute { AllowEmptyStrings: false } when isText:
                schema["minLength"] = Math.Max(1, (int?)schema["minLength"] ?? 0);
                break;
            case StringLengthAttribute length when isText:
                schema["maxLength"] = length.MaximumLength;
                if (length.MinimumLength > 0) schema["minLength"] = length.MinimumLength;
                break;
            case LengthAttribute length:
                schema[isText ? "minLength" : "minItems"] = length.MinimumLength;
                schema[isText ? "maxLength" : "maxItems"] = length.MaximumLength;
                break;
            case MinLengthAttribute length:
                schema[isText ? "minLength" : "minItems"] = length.Length;
                break;
            case MaxLengthAttribute { Length: > 0 } length:
                schema[isText ? "maxLength" : "maxItems"] = length.Length;
                break;
            case RegularExpressionAttribute regex when isText:
                schema["pattern"] = regex.Pattern;
                break;
            case AllowedValuesAttribute allowed:
                schema["enum"] = new JsonArray([.. allowed.Values.Select(v => System.Text.Json.JsonSerializer.SerializeToNode(v))]);
                break;
        }
    }

    /// <summary>The integer types' ranges, as the runtime reads them (a number out of range fails the whole payload).</summary>
    private static readonly Dictionary<Type, (decimal Min, decimal Max)> ClrRanges = new()
    {
        [typeof(byte)] = (byte.MinValue, byte.MaxValue),
        [typeof(sbyte)] = (sbyte.MinValue, sbyte.MaxValue),
        [typeof(short)] = (short.MinValue, short.MaxValue),
        [typeof(ushort)] = (ushort.MinValue, ushort.MaxValue),
        [typeof(int)] = (int.MinValue, int.MaxValue),
        [typeof(uint)] = (uint.MinValue, uint.MaxValue),
        [typeof(long)] = (long.MinValue, long.MaxValue),
        [typeof(ulong)] = (ulong.MinValue, ulong.MaxValue),
    };

    private static bool IsNumber(Type type) => (Nullable.GetUnderlyingType(type) ?? type) is var t
        && (t.IsPrimitive && t != typeof(bool) && t != typeof(char) && t != typeof(nint) && t != typeof(nuint) || t == typeof(decimal));

    /// <summary>A range bound as JSON Schema numbers go (decimal): infinite or huge double bounds say nothing and are left out.</summary>
    private static decimal? AsDecimal(object? bound)
    {
        try
        {
            return bound switch
            {
                int i => i,
                double d when double.IsFinite(d) && Math.Abs(d) < 7.9e28 => (decimal)d,
                _ => null,
            };
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
