using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting;

namespace JobPlatform.Benchmarks.Explore;

/// <summary>
/// In each explore worker: notices when the process could not run its timers for a while (starved of CPU or of
/// thread-pool threads, as on a machine busy with other work) and says so on its output, where the harness reads
/// it. Such a stall is a pause like SIGSTOP, only nobody sent it: a lease watch that cannot run cannot stop a handler
/// in time, which is the engine's stated limit (fencing tokens keep the effects safe). The verifier excuses an
/// overlap only where the earlier run's worker stalled just before the later run began, and counts each excuse.
/// </summary>
internal sealed class StallDetector : BackgroundService
{
    public const string Prefix = "explore-stall ";

    /// <summary>Shorter than the lease watch's margin (a quarter of the explorer's 2 s lease) by a tick or two.</summary>
    public static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(25);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var last = Stopwatch.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            // On the thread pool, as the engine's timers and cancellations are: it stalls when they do.
            await Task.Delay(Tick, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            var now = Stopwatch.GetTimestamp();
            var gap = Stopwatch.GetElapsedTime(last, now) - Tick;
            last = now;
            if (gap < Threshold) continue;
            var to = DateTimeOffset.UtcNow;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Environment.ProcessId} {(to - gap):O} {to:O}"));
        }
    }

    /// <summary>Reads a stall line of a worker's output: (pid, from, to), or null for any other line.</summary>
    public static (int Pid, DateTimeOffset From, DateTimeOffset To)? Parse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var parts = line[Prefix.Length..].Split(' ');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(parts[1], CultureInfo.InvariantCulture), DateTimeOffset.Parse(parts[2], CultureInfo.InvariantCulture));
    }
}
