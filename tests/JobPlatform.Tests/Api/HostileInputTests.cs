using System.Net;
using System.Net.Http.Json;
using System.Net.Http.Headers;
using JobPlatform.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace JobPlatform.Tests.Api;

/// <summary>
/// The hostile-input corpus (<see cref="HostileCorpus"/>) against every route the api maps, with an admin key so
/// that the requests reach validation: no 5xx, every refusal by an api route a problem details document, and a
/// healthy api after.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class HostileInputTests(PostgresFixture postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task Over_a_thousand_malformed_requests_get_4xx_problem_details_and_never_a_5xx()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using (await EngineHost.StartEchoWorkerAsync(db)) { } // registers the job type
        // Over a real socket: the in-memory test server's client refuses some of these paths before sending them.
        await using var api = new ApiFactory(db);
        using var http = new HttpClient { BaseAddress = new Uri(api.StartOnKestrel()) };
        http.DefaultRequestHeaders.Add("X-Api-Key", ApiFactory.AdminKey);

        var routes = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Template: "/" + e.RoutePattern.RawText!.TrimStart('/'), Methods: e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.ToArray() ?? ["GET"]))
            .Where(r => !r.Template.StartsWith("/_")) // Blazor's own framework and hub routes
            .ToList();
        var corpus = HostileCorpus.For(routes);
        Assert.True(corpus.Count >= 1000, $"only {corpus.Count} requests");

        var serverErrors = new List<string>();
        var withoutProblemDetails = new List<string>();
        var refusedByKestrel = 0;
        var statuses = new Dictionary<int, int>();
        foreach (var request in corpus)
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
            if (request.Body is not null)
            {
                message.Content = new ByteArrayContent(request.Body);
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType!);
                // As a well-behaved client does with a large body, so that an early refusal (413) does not break the pipe.
                message.Headers.ExpectContinue = request.Body.Length > 1_000_000;
            }
            using var response = await http.SendAsync(message);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if (status >= 500) serverErrors.Add($"{status} {request}: {await response.Content.ReadAsStringAsync()}");
            // Kestrel refuses a request line it cannot parse (a NUL in the path, say) before any middleware runs, with a
            // bare 400; only answers that went through the api carry its security headers.
            else if (status == 400 && !response.Headers.Contains("X-Content-Type-Options")) refusedByKestrel++;
            // The dashboard answers browsers in HTML (its login form refuses a post without its antiforgery token so);
            // the api's routes answer with problem details.
            else if (status >= 400 && !request.Path.StartsWith("/dashboard") && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                withoutProblemDetails.Add($"{status} {response.Content.Headers.ContentType} {request}");
        }
        output.WriteLine($"{corpus.Count} requests to {routes.Count} routes: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} × {s.Value}"))}; " +
            $"refused by Kestrel before the api: {refusedByKestrel}");

        Assert.True(serverErrors.Count == 0, string.Join(Environment.NewLine, serverErrors.Take(20)));
        Assert.True(withoutProblemDetails.Count == 0, string.Join(Environment.NewLine, withoutProblemDetails.Take(20)));
        Assert.True(statuses.Where(s => s.Key >= 400).Sum(s => s.Value) > corpus.Count / 2, "most of the corpus should have been refused");
        // Still healthy, and still serving.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsJsonAsync("/api/jobs", new { type = "echo", payload = new { text = "still here" } })).StatusCode);
    }
}
