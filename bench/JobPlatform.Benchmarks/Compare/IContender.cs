namespace JobPlatform.Benchmarks.Compare;

/// <summary>One job engine under measurement. A fresh instance serves one scenario on one fresh database.</summary>
public interface IContender : IAsyncDisposable
{
    /// <summary>Creates the engine's schema in an empty database and gets ready to enqueue; nothing runs yet.</summary>
    Task InitializeAsync(string connectionString);

    /// <summary>Enqueues one job the way an application does, one call and one commit.</summary>
    Task EnqueueAsync(WorkKind kind, int arg, long stamp = 0);

    /// <summary>Fills the queue with jobs 0 to <paramref name="count"/> − 1 before a drain, by the engine's fastest way.</summary>
    Task FillAsync(WorkKind kind, int count);

    /// <summary>Starts the workers of this contender's setup.</summary>
    Task StartProcessingAsync();

    /// <summary>Jobs that the engine's own store does not yet record as finished.</summary>
    Task<long> UnfinishedAsync();

    /// <summary>What the store says of a few unfinished jobs, for a scenario that timed out; empty when it has nothing to add.</summary>
    Task<string> DescribeUnfinishedAsync() => Task.FromResult("");
}
