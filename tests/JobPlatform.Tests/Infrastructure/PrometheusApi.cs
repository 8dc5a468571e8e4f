using System.Net.Http.Json;
using System.Text.Json;

namespace JobPlatform.Tests.Infrastructure;

/// <summary>The parts of Prometheus's HTTP API the tests ask: targets, instant queries, label values.</summary>
public sealed class PrometheusApi(HttpClient http)
{
    public sealed record Target(string Job, string ScrapeUrl, string Health);

    public async Task<Target[]> TargetsAsync(CancellationToken cancellationToken = default) =>
        (await http.GetFromJsonAsync<JsonElement>("/api/v1/targets?state=active", cancellationToken))
            .GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .Select(t => new Target(t.GetProperty("labels").GetProperty("job").GetString()!, t.GetProperty("scrapeUrl").GetString()!,
                t.GetProperty("health").GetString()!))
            .ToArray();

    /// <returns>Once Prometheus reports the expected targets up, their scrape URLs.</returns>
    public async Task<string[]> WaitForTargetsUpAsync(int api, int workers, TimeSpan timeout)
    {
        var seen = "";
        for (var deadline = DateTime.UtcNow + timeout; DateTime.UtcNow < deadline; await Task.Delay(1000))
        {
            var targets = await TargetsAsync();
            seen = string.Join("; ", targets.Select(t => $"{t.Job} {t.ScrapeUrl} {t.Health}"));
            if (targets.Count(t => t is { Job: "api", Health: "up" }) == api && targets.Count(t => t is { Job: "worker", Health: "up" }) == workers)
                return targets.Select(t => t.ScrapeUrl).ToArray();
        }
        throw new TimeoutException($"Prometheus targets never became {api} api and {workers} workers up; last seen: {seen}");
    }

    /// <returns>The values of an instant query's series (NaN included), or the error Prometheus gave.</returns>
    public async Task<(double[] Values, string? Error)> QueryAsync(string expression)
    {
        using var response = await http.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(expression)}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (body.GetProperty("status").GetString() != "success") return ([], body.GetProperty("error").GetString());
        var data = body.GetProperty("data");
        var values = data.GetProperty("resultType").GetString() switch
        {
            "vector" => data.GetProperty("result").EnumerateArray().Select(r => r.GetProperty("value")[1].GetString()!),
            "scalar" => [data.GetProperty("result")[1].GetString()!],
            var type => throw new InvalidOperationException($"Unexpected result type {type} for {expression}"),
        };
        return (values.Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(), null);
    }

    public async Task<string[]> LabelValuesAsync(string label, string metric) =>
        (await http.GetFromJsonAsync<JsonElement>($"/api/v1/label/{label}/values?match[]={Uri.EscapeDataString(metric)}"))
            .GetProperty("data").EnumerateArray().Select(v => v.GetString()!).ToArray();
}
