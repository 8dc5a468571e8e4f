using JobPlatform.Jobs.DependencyInjection;
using JobPlatform.Jobs.Processing;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Api;

/// <summary>
/// The api over HTTP (with the admin key) and an in-process worker offering <c>echo</c>, both on one fresh test
/// database: what every api test class starts from.
/// </summary>
public sealed class ApiTestHost : IAsyncDisposable
{
    private ApiTestHost(string db, EngineHost worker, ApiFactory api) => (Db, Worker, Api, Http) = (db, worker, api, api.CreateClient());

    public string Db { get; }
    public EngineHost Worker { get; }
    public ApiFactory Api { get; }
    public HttpClient Http { get; }

    /// <param name="jobs">More job types for the worker, beside <c>echo</c>.</param>
    public static async Task<ApiTestHost> StartAsync(
        PostgresFixture postgres, Action<JobPlatformBuilder>? jobs = null, Action<ProcessingOptions>? processing = null)
    {
        var db = await postgres.CreateDatabaseAsync();
        var worker = await EngineHost.StartAsync(db, platform =>
        {
            platform.Services.AddSingleton(new Executions());
            platform.AddJob<EchoJob, EchoPayload>("echo");
            jobs?.Invoke(platform);
        }, processing);
        return new ApiTestHost(db, worker, new ApiFactory(db));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Api.DisposeAsync();
        await Worker.DisposeAsync();
    }
}
