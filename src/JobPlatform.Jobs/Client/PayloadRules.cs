using System.Text.Json;

namespace JobPlatform.Jobs.Client;

/// <summary>
/// What every payload must be, whatever its type's schema says: a JSON object that a worker can read back and
/// PostgreSQL can store — each property once, strings of valid Unicode without U+0000, numbers a double can hold.
/// JSON parsers let each of these through; the worker (or jsonb) would then fail the job at run time.
/// </summary>
public static class PayloadRules
{
    /// <summary>Checks a payload's text; throws <see cref="JobValidationException"/> naming the first field at fault.</summary>
    public static void Check(string payloadJson)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payloadJson);
        }
        catch (JsonException e)
        {
            throw new JobValidationException("payload", $"The payload is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new JobValidationException("payload", "The payload must be a JSON object.");
            foreach (var (field, message) in Problems(document.RootElement))
                throw new JobValidationException(field, message);
        }
    }

    /// <summary>The problems of a payload that no schema catches, each with its field (<c>payload.items[2].name</c>).</summary>
    public static IEnumerable<(string Field, string Message)> Problems(JsonElement element, string path = "payload") =>
        IsClean(element) ? [] : Find(element, path); // field names are built only for a payload at fault

    private static bool IsClean(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                    if (Read(() => property.Name) is not { } name || name.Contains('\0') || !names.Add(name) || !IsClean(property.Value)) return false;
                return true;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    if (!IsClean(item)) return false;
                return true;
            case JsonValueKind.String:
                return Read(element.GetString) is { } text && !text.Contains('\0');
            case JsonValueKind.Number:
                return IsFinite(element);
            default:
                return true;
        }
    }

    private static IEnumerable<(string Field, string Message)> Find(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (Read(() => property.Name) is not { } name)
                    {
                        yield return (path, $"A property name {UnpairedSurrogate}");
                        continue;
                    }
                    var field = $"{path}.{name}";
                    if (name.Contains('\0')) yield return (field, $"The property name {Nul}");
                    if (!names.Add(name)) yield return (field, "The property appears more than once; send it once.");
                    foreach (var problem in Find(property.Value, field)) yield return problem;
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                    foreach (var problem in Find(item, $"{path}[{index++}]")) yield return problem;
                break;
            case JsonValueKind.String:
                if (Read(element.GetString) is not { } text) yield return (path, $"The string {UnpairedSurrogate}");
                else if (text.Contains('\0')) yield return (path, $"The string {Nul}");
                break;
            case JsonValueKind.Number:
                if (!IsFinite(element)) yield return (path, "The number is beyond the range of any number type (about ±1.8e308).");
                break;
        }
    }

    private const string UnpairedSurrogate = "contains an unpaired UTF-16 surrogate (such as \\ud800 without its partner), which is not a character; send valid Unicode.";
    private const string Nul = "contains the character U+0000, which PostgreSQL cannot store; remove or encode it.";

    /// <summary>Whether a double holds the number: the runtime reads 1e309 as infinity, which no number type holds.</summary>
    private static bool IsFinite(JsonElement number) => number.TryGetDouble(out var value) && double.IsFinite(value);

    /// <summary>A string or property name as text; null when its escapes are not valid UTF-16.</summary>
    private static string? Read(Func<string?> read)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
