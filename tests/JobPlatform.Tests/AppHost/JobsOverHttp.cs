using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace JobPlatform.Tests.AppHost;

/// <summary>Enqueues jobs through an api started by the AppHost and waits for their outcome.</summary>
internal static class JobsOverHttp
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);

    public static async Task<Guid> EnqueueAsync(HttpClient api, object request)
    {
        var response = await api.PostAsJsonAsync("/api/jobs", request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public static async Task<string> WaitForTerminalStateAsync(HttpClient api, Guid id)
    {
        var deadline = DateTime.UtcNow + JobTimeout;
        var state = "";
        while (DateTime.UtcNow < deadline)
        {
            var job = await api.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
            state = job.GetProperty("state").GetString()!;
            if (state is "succeeded" or "failed" or "cancelled") return state;
            await Task.Delay(200);
        }
        return $"still {state} after {JobTimeout}";
    }
}
