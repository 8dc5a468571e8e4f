using System.Text.Json;

namespace JobPlatform.Dashboard.Components;

public static class JsonText
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>JSON indented for reading; text that is not JSON as it is.</summary>
    public static string Pretty(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
