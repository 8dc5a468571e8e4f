namespace JobPlatform.Jobs.Processing;

/// <summary>
/// Wakes the claim loops when jobs may be waiting (a NOTIFY arrived). A loop takes <see cref="Next"/> before it
/// claims and waits on it only if the claim found nothing, so a signal that arrives during the claim is not lost.
/// </summary>
public sealed class JobSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next signal.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Signal() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Waits for <paramref name="next"/> (taken from <see cref="Next"/>) or the timeout, whichever comes first.</summary>
    public static async Task WaitAsync(Task next, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await next.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Poll anyway: due retries and scheduled jobs send no notification.
        }
    }
}
