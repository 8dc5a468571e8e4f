using System.Net;
using JobPlatform.Tests.Infrastructure;

namespace JobPlatform.Tests.Api;

/// <summary>The api's rate limit (429 with Retry-After, never on health or metrics) and its security headers.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RateLimitAndHeadersTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Over_its_limit_a_client_gets_429_with_Retry_After_while_health_stays_open()
    {
        await using var api = new ApiFactory(await postgres.CreateDatabaseAsync(), new Dictionary<string, string>
        {
            ["JobPlatform:Api:RateLimit:PermitsPerSecond"] = "1", ["JobPlatform:Api:RateLimit:Burst"] = "5",
        });
        using var http = api.CreateClient();

        var accepted = 0;
        HttpResponseMessage? limited = null;
        while (limited is null && accepted < 20)
        {
            var response = await http.GetAsync("/api/job-types");
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
            else { Assert.Equal(HttpStatusCode.OK, response.StatusCode); accepted++; response.Dispose(); }
        }

        Assert.InRange(accepted, 5, 6); // the burst, and a second's worth if one passed
        Assert.NotNull(limited);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        limited.Dispose();
        for (var i = 0; i < 20; i++) Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/dashboard/login")]
    [InlineData("/api/jobs")]
    public async Task Every_answer_carries_the_security_headers(string path)
    {
        await using var api = new ApiFactory(await postgres.CreateDatabaseAsync());
        using var response = await api.CreateClient(key: null).GetAsync(path);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }
}
