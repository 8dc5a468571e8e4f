using JobPlatform.Jobs.Client;
using Npgsql;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>JobPlatform as an application runs it: a producer host that enqueues, a worker host that processes.</summary>
public sealed class JobPlatformContender(int workers) : IContender
{
    private string _connectionString = "";
    private EngineHost? _producer;
    private EngineHost? _worker;

    public async Task InitializeAsync(string connectionString)
    {
        _connectionString = connectionString;
        _producer = await EngineHost.StartAsync(connectionString, process: false); // migrates the schema
    }

    public Task EnqueueAsync(WorkKind kind, int arg, long stamp = 0) =>
        _producer!.WithClientAsync(c => c.EnqueueAsync(EngineHost.WorkJobName, new WorkPayload(kind, arg, stamp)));

    public Task FillAsync(WorkKind kind, int count) =>
        _producer!.WithClientAsync(c => c.EnqueueManyAsync(EngineHost.WorkJobName, Enumerable.Range(0, count).Select(i => new WorkPayload(kind, i))));

    public async Task StartProcessingAsync() =>
        _worker = await EngineHost.StartAsync(_connectionString, process: true, workers);

    public async Task<long> UnfinishedAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        return await Scenarios.RemainingAsync(connection);
    }

    public async ValueTask DisposeAsync()
    {
        if (_worker is not null) await _worker.DisposeAsync();
        if (_producer is not null) await _producer.DisposeAsync();
    }
}
