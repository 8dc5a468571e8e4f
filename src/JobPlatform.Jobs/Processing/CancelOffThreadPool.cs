namespace JobPlatform.Jobs.Processing;

/// <summary>
/// Cancels a handler's token on a thread of its own. Cancelling runs the token's callbacks on the cancelling thread,
/// and some block: Npgsql's sends PostgreSQL a cancel request over a new connection and waits for the answer, which
/// during a network partition takes until its timeouts end. On the thread pool a few of those at once starve it, and
/// with it the timers that stop every other handler before its lease runs out; on the thread that asked (the lease
/// watch, the notification listener, the shutdown) they would hold up all the rest.
/// </summary>
internal static class CancelOffThreadPool
{
    public static void Start(CancellationTokenSource source)
    {
        if (source.IsCancellationRequested) return; // asked again (a cancel request is repeated at each renewal)
        _ = Task.Factory.StartNew(static state => Cancel((CancellationTokenSource)state!), source,
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The attempt ended meanwhile.
        }
        catch (AggregateException)
        {
            // A callback threw; the handler sees its cancelled token all the same, and reports what went wrong.
        }
    }
}
