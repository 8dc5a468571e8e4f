using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

namespace JobPlatform.Jobs;

/// <summary>How payloads are written and read: web conventions (camelCase, case-insensitive reads), no duplicate properties.</summary>
public static class JobJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>The JSON schema of a payload type, as workers register it for the api to validate against.</summary>
    public static string SchemaOf(Type payloadType)
    {
        var schema = JsonSchemaExporter.GetJsonSchemaAsNode(Options, payloadType,
            new JsonSchemaExporterOptions { TransformSchemaNode = Handlers.PayloadAnnotations.Transform });
        if (schema is JsonObject root) root["additionalProperties"] ??= false;
        return schema.ToJsonString();
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            // A property sent twice is refused, not read as whichever came last.
            AllowDuplicateProperties = false,
        };
        options.MakeReadOnly();
        return options;
    }
}
