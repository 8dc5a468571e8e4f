using System.Text;
using System.Text.RegularExpressions;

namespace JobPlatform.Tests.Api;

/// <summary>
/// Generates malformed and malicious requests for every route the api maps: hostile values in each route
/// parameter and query string, and broken, wrongly typed, deep, huge, non-UTF-8 or injection-laden bodies.
/// </summary>
public static partial class HostileCorpus
{
    public sealed record Request(string Method, string Path, byte[]? Body, string? ContentType)
    {
        public override string ToString() => $"{Method} {(Path.Length > 120 ? Path[..120] + "…" : Path)} [{Body?.Length ?? 0} bytes {ContentType}] {Preview()}";

        private string Preview() => Body is null ? "" : Encoding.UTF8.GetString(Body[..Math.Min(Body.Length, 80)]);
    }

    /// <summary>Values for a route parameter or a query string: traversal, injection, markup, extremes, encodings.</summary>
    public static readonly string[] Values =
    [
        "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2f", "....//....//", "' OR '1'='1", "1; DROP TABLE jobplatform.jobs;--",
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "-1", "99999999999999999999999", "1e309", "NaN",
        "00000000-0000-0000-0000-000000000000", "%00", "%ZZ", "%C3%28", new string('a', 5000), "😀%E2%80%AE", "null", "{}",
    ];

    private static readonly string[] Strings =
    [
        "' OR 1=1 --", "<script>alert(1)</script>", "../../../etc/passwd", "\u0000", "\uD800", new string('x', 100_000), "", " ", "${jndi:ldap://127.0.0.1/a}",
    ];

    private static readonly string[] Numbers = ["-1", "0", "-2147483649", "2147483648", "1e308", "-1e308", "1.5", "\"12\"", "true", "[]", "{}"];

    /// <summary>Bodies for any route that reads one.</summary>
    public static IEnumerable<(byte[] Body, string ContentType)> Bodies()
    {
        const string Json = "application/json";
        foreach (var text in new[] { "", "{", "}", "null", "[]", "123", "\"text\"", "{\"type\":", "{'type':'echo'}", "{\"type\":\"echo\",}", "{\"type\" \"echo\"}" })
            yield return (Encoding.UTF8.GetBytes(text), Json);
        yield return (Encoding.UTF8.GetBytes(new string('[', 100_000) + new string(']', 100_000)), Json);
        yield return (Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 5_000)) + "1" + new string('}', 5_000)), Json);
        yield return (Encoding.UTF8.GetBytes("{\"type\":\"echo\",\"payload\":{\"text\":\"" + new string('x', 12_000_000) + "\"}}"), Json);
        yield return ([0x7B, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D], Json); // {"type":"Ã(" — invalid UTF-8
        yield return ([0xFF, 0xFE, 0x7B, 0x00, 0x7D, 0x00], Json); // UTF-16 with a byte order mark
        yield return (Encoding.UTF8.GetBytes("{\"type\":\"echo\",\"payload\":{\"text\":\"hi\"}}"), "text/plain");
        yield return (Encoding.UTF8.GetBytes("type=echo&payload=x"), "application/x-www-form-urlencoded");
        yield return (Encoding.UTF8.GetBytes("<job><type>echo</type></job>"), "application/xml");

        foreach (var field in new[] { "type", "queue", "uniqueKey", "name", "cron", "timeZone", "jobType", "continueAfter", "runAt", "state" })
        {
            foreach (var value in Strings) yield return (Utf8($"{{\"type\":\"echo\",\"payload\":{{}},\"{field}\":{Quote(value)}}}"), Json);
            foreach (var value in Numbers) yield return (Utf8($"{{\"type\":\"echo\",\"payload\":{{}},\"{field}\":{value}}}"), Json);
        }
        foreach (var field in new[] { "priority", "maxAttempts", "delaySeconds", "timeoutSeconds", "count", "retryIntervalsSeconds" })
            foreach (var value in Numbers.Concat(Strings.Take(3).Select(Quote)))
                yield return (Utf8($"{{\"type\":\"echo\",\"payload\":{{\"text\":\"a\"}},\"{field}\":{value}}}"), Json);
        foreach (var value in Strings) yield return (Utf8($"{{\"type\":\"echo\",\"payload\":{{}},\"tags\":[{Quote(value)}]}}"), Json);
        yield return (Utf8("{\"type\":\"echo\",\"payload\":{},\"tags\":" + "[" + string.Join(",", Enumerable.Repeat("\"t\"", 10_000)) + "]}"), Json);
        foreach (var (cron, zone) in new[] { ("61 * * * *", "UTC"), ("* * *", "UTC"), ("@yearly2", "UTC"), ("0 0 31 2 *", "UTC"), ("* * * * * * *", "UTC"),
                     ("0 3 * * *", "Mars/Olympus"), ("0 3 * * *", "../../../etc/localtime"), ("0 3 * * *", "UTC\u0000"), ("0 3 * * *", "") })
            yield return (Utf8($"{{\"name\":\"n\",\"cron\":{Quote(cron)},\"timeZone\":{Quote(zone)},\"jobType\":\"echo\",\"payload\":{{}}}}"), Json);
        yield return (Utf8("{\"jobs\":[" + string.Join(",", Enumerable.Repeat("{\"type\":\"echo\",\"payload\":5}", 50)) + "]}"), Json);
        yield return (Utf8("{\"type\":\"echo\",\"payloads\":[1,\"a\",null,[]]}"), Json);
    }

    /// <summary>Every request of the corpus for the given routes (template, methods).</summary>
    public static List<Request> For(IEnumerable<(string Template, string[] Methods)> routes)
    {
        var bodies = Bodies().ToList();
        var requests = new List<Request>();
        foreach (var (template, methods) in routes)
        {
            var parameters = Parameter().Matches(template).Select(m => m.Value).Distinct().ToList();
            foreach (var method in methods)
            {
                var plain = Fill(template, "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
                if (parameters.Count > 0)
                    foreach (var value in Values)
                        requests.Add(new Request(method, Fill(template, value), null, null));
                foreach (var value in Values.Take(10))
                    requests.Add(new Request(method, $"{plain}?state={Uri.EscapeDataString(value)}&limit={Uri.EscapeDataString(value)}&cursor={Uri.EscapeDataString(value)}&type={Uri.EscapeDataString(value)}&count={Uri.EscapeDataString(value)}", null, null));
                if (method is "POST" or "PUT" or "PATCH")
                    requests.AddRange(bodies.Select(b => new Request(method, plain, b.Body, b.ContentType)));
            }
        }
        return requests;
    }

    private static string Fill(string template, string value) => Parameter().Replace(template, value);

    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
