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

    [Fact]
    public async Task Each_key_has_its_own_bucket_so_one_busy_caller_does_not_starve_another()
    {
        await using var api = new ApiFactory(await postgres.CreateDatabaseAsync(), new Dictionary<string, string>
        {
            ["JobPlatform:Api:RateLimit:PermitsPerSecond"] = "1", ["JobPlatform:Api:RateLimit:Burst"] = "3",
        });
        using var admin = api.CreateClient(ApiFactory.AdminKey);
        using var reader = api.CreateClient(ApiFactory.ReadOnlyKey);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++) statuses.Add((await admin.GetAsync("/api/job-types")).StatusCode);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        // The other key, from the same address, still has its whole burst.
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/job-types")).StatusCode);
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    public void Anonymous_callers_are_counted_by_address_and_IPv6_by_its_64_block(string address, string partition)
    {
        Assert.Equal(partition, JobPlatform.Dashboard.Security.ClientAddress.PartitionOf(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Forwarded_addresses_count_only_from_a_configured_proxy(bool proxyConfigured)
    {
        var settings = new Dictionary<string, string>
        {
            ["JobPlatform:Api:RateLimit:PermitsPerSecond"] = "1", ["JobPlatform:Api:RateLimit:Burst"] = "2",
        };
        if (proxyConfigured) settings["JobPlatform:Api:KnownProxies:0"] = "127.0.0.1";
        await using var api = new ApiFactory(await postgres.CreateDatabaseAsync(), settings);
        using var http = new HttpClient { BaseAddress = new Uri(api.StartOnKestrel()) }; // from 127.0.0.1, no key

        async Task<HttpStatusCode> From(string address)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/job-types");
            request.Headers.Add("X-Forwarded-For", address);
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }
        for (var i = 0; i < 3; i++) await From("203.0.113.1");

        // A caller claiming another address gets a bucket of its own only when a known proxy says so.
        Assert.Equal(proxyConfigured ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, await From("203.0.113.2"));
    }

    [Fact]
    public async Task The_login_form_has_a_strict_limit_of_its_own()
    {
        // The api's own limit off: only the login's applies.
        await using var api = new ApiFactory(await postgres.CreateDatabaseAsync(), new Dictionary<string, string>
        {
            ["JobPlatform:Api:RateLimit:Enabled"] = "false",
        });
        using var http = api.CreateClient(key: null);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "ops", ["password"] = "guess" + i });
            statuses.Add((await http.PostAsync("/dashboard/login", form)).StatusCode);
        }
        Assert.Equal(10, statuses.Count(s => s != HttpStatusCode.TooManyRequests));
        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses[10..]);
    }

    [Fact]
    public async Task Health_answers_come_from_a_short_cache_so_a_flood_costs_one_database_check()
    {
        await using var api = new ApiFactory(await postgres.CreateDatabaseAsync());
        using var http = api.CreateClient(key: null);

        using var first = await http.GetAsync("/health");
        var rest = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => http.GetAsync("/health")));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.All(rest, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(rest, r => Assert.True(r.Headers.Age is not null, "an answer that was computed again instead of served from the cache"));
        using var targets = await http.GetAsync("/api/servers/prometheus-targets");
        using var again = await http.GetAsync("/api/servers/prometheus-targets");
        Assert.NotNull(again.Headers.Age);
        foreach (var response in rest) response.Dispose();
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
