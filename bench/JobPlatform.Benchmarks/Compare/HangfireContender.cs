using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>
/// Hangfire 1.8 on Hangfire.PostgreSql in one of the sweep's settings (<see cref="HangfireSetting"/>), with
/// <c>CompatibilityLevel.Version_180</c> (the current data format) and native transactions.
/// </summary>
public sealed class HangfireContender(HangfireSetting setting, int workers) : IContender
{
    private PostgreSqlStorage? _storage;
    private BackgroundJobClient? _client;
    private BackgroundJobServer? _server;
    private string _connectionString = "";

    public Task InitializeAsync(string connectionString)
    {
        _connectionString = connectionString;
        GlobalConfiguration.Configuration.SetDataCompatibilityLevel(CompatibilityLevel.Version_180);
        var options = new PostgreSqlStorageOptions
        {
            // Before the interval: the setter refuses less than 50 ms unless unsafe values are allowed.
            AllowUnsafeValues = true,
            QueuePollInterval = TimeSpan.FromMilliseconds(setting.PollMilliseconds),
            EnableLongPolling = setting.LongPolling,
            UseNativeDatabaseTransactions = true,
            PrepareSchemaIfNecessary = true,
        };
        _storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options); // installs the schema
        _client = new BackgroundJobClient(_storage);
        return Task.CompletedTask;
    }

    public Task EnqueueAsync(WorkKind kind, int arg, long stamp = 0)
    {
        // Hangfire's client is synchronous: the call returns once the job is committed.
        _client!.Enqueue<HangfireWork>(w => w.Run(kind, arg, stamp, CancellationToken.None));
        return Task.CompletedTask;
    }

    // Hangfire has no bulk enqueue in its free edition: fill from several threads.
    public Task FillAsync(WorkKind kind, int count) => ParallelEnqueue.RunAsync(this, kind, count, threads: 16);

    public Task StartProcessingAsync()
    {
        _server = new BackgroundJobServer(new BackgroundJobServerOptions
        {
            WorkerCount = workers,
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        }, _storage!);
        return Task.CompletedTask;
    }

    public async Task<long> UnfinishedAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM hangfire.job WHERE statename IS NULL OR statename NOT IN ('Succeeded', 'Failed', 'Deleted')", connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>Up to five unfinished jobs: state, when created, and their queue entry (fetched or not, when).</summary>
    public async Task<string> DescribeUnfinishedAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT j.id, coalesce(j.statename, 'no state'), j.createdat, q.id IS NOT NULL, q.fetchedat,
                   (SELECT count(*) FROM hangfire.lock)
            FROM hangfire.job j LEFT JOIN hangfire.jobqueue q ON q.jobid = j.id
            WHERE j.statename IS NULL OR j.statename NOT IN ('Succeeded', 'Failed', 'Deleted')
            ORDER BY j.id LIMIT 5
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var jobs = new List<string>();
        while (await reader.ReadAsync())
            jobs.Add($"job {reader.GetInt64(0)} '{reader.GetString(1)}' created {reader.GetDateTime(2):HH:mm:ss.fff}, " +
                (reader.GetBoolean(3) ? $"queued, fetched {(reader.IsDBNull(4) ? "never" : reader.GetDateTime(4).ToString("HH:mm:ss.fff"))}" : "not in a queue") +
                $", {reader.GetInt64(5)} locks held");
        return string.Join("; ", jobs);
    }

    public ValueTask DisposeAsync()
    {
        _server?.Dispose(); // blocks until its workers stop (at most ShutdownTimeout)
        return ValueTask.CompletedTask;
    }
}
