using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using JobPlatform.Tests.AppHost;
using JobPlatform.Tests.Infrastructure;
using Xunit.Abstractions;

namespace JobPlatform.Tests.Deployment;

/// <summary>
/// Every query of every panel of our Grafana dashboards, asked of a real Prometheus (Debian's, which .ci/run
/// installs) that scrapes a real api and two workers with the project's scrape configuration: the AppHost in
/// local-executable mode on the test database generates that configuration for the test's ports. Grafana
/// itself cannot be installed here; it would send these same queries.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class GrafanaDashboardQueriesTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const string ApiKey = "dashboard-test-key-0123456789abcdef";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Every_panel_of_both_dashboards_shows_data_from_a_running_platform()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var folder = new TemporaryFolder();
        await using var app = await LocalAppHost.StartAsync(folder.Path, cts.Token,
            // Exposed, so that a caller without the key gets the 401 that the error panels count.
            [$"ConnectionStrings:jobsdb={await postgres.CreateDatabaseAsync()}", .. LocalAppHost.Exposed(ApiKey, "dashboard-test-password-0123")]);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("prometheus", cts.Token);
        using var api = app.CreateHttpClient("api");
        using var anonymous = app.CreateHttpClient("api");
        api.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        var prometheus = new PrometheusApi(app.CreateHttpClient("prometheus", "http"));
        await prometheus.WaitForTargetsUpAsync(api: 1, workers: 2, TimeSpan.FromSeconds(90));

        // Succeeding, failing (for good and retried), slow jobs, and callers' mistakes (400, 401), for long
        // enough that every rate window holds several scrapes.
        var dashboards = Dashboards();
        var missing = dashboards.SelectMany(d => d.Queries).ToList();
        var clock = DateTime.UtcNow;
        for (var round = 0; missing.Count > 0 && DateTime.UtcNow - clock < TimeSpan.FromMinutes(3); round++)
        {
            await PostAsync(api, new { type = "simple-job", payload = new { name = "dashboards" } });
            await PostAsync(api, new { type = "flaky-job", payload = new { failureRate = 1.0 }, maxAttempts = 1 });
            await PostAsync(api, new { type = "flaky-job", payload = new { failureRate = 0.5 }, maxAttempts = 2 });
            if (round % 8 == 0) await PostAsync(api, new { type = "long-running-job", payload = new { seconds = 1 } });
            Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsJsonAsync("/api/jobs", new { type = "no-such-type" })).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/jobs")).StatusCode);
            await Task.Delay(250);
            // After 20 s of traffic, look at the panels every few rounds until each has data (or time is up).
            if (DateTime.UtcNow - clock > TimeSpan.FromSeconds(20) && round % 8 == 0)
                missing = await WithoutDataAsync(prometheus, missing);
        }

        foreach (var dashboard in dashboards)
            output.WriteLine($"{dashboard.Title}: {dashboard.Queries.Count} queries of {dashboard.Queries.Select(q => q.Panel).Distinct().Count()} panels asked");
        Assert.True(missing.Count == 0, "Panels without data:\n" + string.Join("\n", missing.Select(m => $"  {m.Dashboard} / {m.Panel}: {m.Expression} {m.Problem}")));

        // The dashboards' variables offer values.
        foreach (var variable in dashboards.SelectMany(d => d.Variables))
            Assert.NotEmpty(await prometheus.LabelValuesAsync(variable.Label, variable.Metric));
    }

    private static async Task PostAsync(HttpClient api, object request) =>
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsJsonAsync("/api/jobs", request)).StatusCode);

    private static async Task<List<PanelQuery>> WithoutDataAsync(PrometheusApi prometheus, List<PanelQuery> queries)
    {
        var missing = new List<PanelQuery>();
        foreach (var query in queries)
        {
            var (values, error) = await prometheus.QueryAsync(query.Expression);
            if (error is not null) missing.Add(query with { Problem = $"(error: {error})" });
            else if (!values.Any(v => !double.IsNaN(v))) missing.Add(query with { Problem = values.Length == 0 ? "(no series)" : "(only NaN)" });
        }
        return missing;
    }

    private sealed record PanelQuery(string Dashboard, string Panel, string Expression, string Problem = "");

    private sealed record Variable(string Label, string Metric);

    private sealed record Dashboard(string Title, List<PanelQuery> Queries, List<Variable> Variables);

    /// <summary>Each dashboard's panel queries, with its variables set to "All" and Grafana's rate interval to 1m.</summary>
    private static List<Dashboard> Dashboards() =>
        Directory.GetFiles(Repository.PathOf("deploy", "grafana", "dashboards"), "*.json").Order().Select(file =>
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var title = json.RootElement.GetProperty("title").GetString()!;
            var queries = json.RootElement.GetProperty("panels").EnumerateArray()
                .SelectMany(panel => panel.GetProperty("targets").EnumerateArray().Select(target => new PanelQuery(
                    title, panel.GetProperty("title").GetString()!, Resolve(target.GetProperty("expr").GetString()!))))
                .ToList();
            var variables = json.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
                .Where(v => v.GetProperty("type").GetString() == "query")
                .Select(v => LabelValues().Match(v.GetProperty("query").GetProperty("query").GetString()!))
                .Select(m => new Variable(m.Groups["label"].Value, m.Groups["metric"].Value))
                .ToList();
            return new Dashboard(title, queries, variables);
        }).ToList();

    private static string Resolve(string expression) =>
        Regex.Replace(expression.Replace("$__rate_interval", "1m"), @"\$\w+", ".*");

    [GeneratedRegex(@"^label_values\((?<metric>\w+),\s*(?<label>\w+)\)$")]
    private static partial Regex LabelValues();
}
