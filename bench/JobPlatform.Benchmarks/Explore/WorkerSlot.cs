using System.Diagnostics;
using System.Text.RegularExpressions;
using JobPlatform.Benchmarks.Chaos;
using JobPlatform.Testing;

namespace JobPlatform.Benchmarks.Explore;

/// <summary>
/// One worker of a seed, behind its own relay to PostgreSQL: it can be killed (and replaced), frozen, stopped
/// gracefully (and replaced), or cut off from the database for a while.
/// </summary>
internal sealed partial class WorkerSlot : IAsyncDisposable
{
    private readonly PartitionProxy _proxy;
    private readonly string[] _arguments;
    private readonly SemaphoreSlim _busy = new(1, 1);
    private Process _process;
    private long _startedAt;
    private readonly Queue<string> _lastLines = new();

    /// <summary>How long a worker runs before a graceful stop is sent: a SIGTERM during the runtime's start ends it with 143.</summary>
    private static readonly TimeSpan StartupTime = TimeSpan.FromSeconds(4);

    public WorkerSlot(int number, PartitionProxy proxy, string connectionString, TimeSpan lease, int skewSeconds)
    {
        Number = number;
        _proxy = proxy;
        _arguments = ExploreSeed.WorkerArguments(connectionString, lease, skewSeconds);
        _process = Start();
    }

    public int Number { get; }

    /// <summary>Workers that ended without being told to, with their exit codes.</summary>
    public List<string> ExitedOnItsOwn { get; } = [];

    /// <summary>When this slot's processes could not run their timers (<see cref="StallDetector"/>).</summary>
    public System.Collections.Concurrent.ConcurrentBag<(int Pid, DateTimeOffset From, DateTimeOffset To)> Stalls { get; } = [];

    private Process Start()
    {
        var process = SelfProcess.Start(_arguments);
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _startedAt = Stopwatch.GetTimestamp();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Keep(string? line)
    {
        if (line is not null && StallDetector.Parse(line) is { } stall)
        {
            Stalls.Add(stall);
            return;
        }
        // Stack frames crowd out the lines that say what happened.
        if (line is null || line.TrimStart().StartsWith("at ", StringComparison.Ordinal) || line.TrimStart().StartsWith("---", StringComparison.Ordinal)) return;
        lock (_lastLines)
        {
            if (_everyLine.Count < MaxLines) _everyLine.Add(line);
            // Debug entries (a line per job) are kept for the lines about one job, not among the last lines.
            if (EntryHeader().Match(line) is { Success: true } header) _inDebugEntry = header.Groups["level"].Value == "dbug";
            if (_inDebugEntry) return;
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 60) _lastLines.Dequeue();
        }
    }

    /// <summary>The worker's last lines of output (warnings and errors), for a report.</summary>
    public string LastLines()
    {
        lock (_lastLines) return string.Join(Environment.NewLine + "      ", _lastLines);
    }

    /// <summary>Every log entry of this slot's workers that names <paramref name="text"/> (a job id), a line each with its time.</summary>
    public IEnumerable<string> EntriesNaming(string text)
    {
        lock (_lastLines)
        {
            var header = "";
            var found = new List<string>();
            foreach (var line in _everyLine)
            {
                if (EntryHeader().IsMatch(line)) header = line;
                else if (line.Contains(text, StringComparison.OrdinalIgnoreCase)) found.Add($"{header.Split(' ')[0]} {line.Trim()}");
            }
            return found;
        }
    }

    /// <summary>The workers log with UTC times, as the run log has them.</summary>
    public const string TimestampFormat = "HH:mm:ss.fff ";

    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d{3} (?<level>trce|dbug|info|warn|fail|crit): ")]
    private static partial Regex EntryHeader();

    private const int MaxLines = 200_000;
    private readonly List<string> _everyLine = [];
    private bool _inDebugEntry;

    private void NoteIfExited()
    {
        if (_process.HasExited)
            ExitedOnItsOwn.Add($"worker {Number} (pid {_process.Id}) exited on its own with code {_process.ExitCode}; its last lines:{Environment.NewLine}      {LastLines()}");
    }

    public Task KillAsync() => ExclusiveAsync(async () =>
    {
        NoteIfExited();
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = Start();
    });

    public Task FreezeAsync(TimeSpan length, ExploreLedger ledger) => ExclusiveAsync(async () =>
    {
        var from = DateTimeOffset.UtcNow;
        await WorkerPool.SignalAsync(_process, "STOP");
        await Task.Delay(length);
        await WorkerPool.SignalAsync(_process, "CONT");
        ledger.Frozen.Add((_process.Id, from, DateTimeOffset.UtcNow));
    });

    public Task RestartGracefullyAsync() => ExclusiveAsync(async () =>
    {
        NoteIfExited();
        var running = Stopwatch.GetElapsedTime(_startedAt);
        if (running < StartupTime) await Task.Delay(StartupTime - running);
        await WorkerPool.SignalAsync(_process, "TERM");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            if (_process.ExitCode != 0)
                ExitedOnItsOwn.Add($"worker {Number} (pid {_process.Id}) stopped gracefully with code {_process.ExitCode}; its last lines:{Environment.NewLine}      {LastLines()}");
        }
        catch (OperationCanceledException)
        {
            ExitedOnItsOwn.Add($"worker {Number} (pid {_process.Id}) did not stop within 30 s of SIGTERM");
            _process.Kill();
        }
        _process.Dispose();
        _process = Start();
    });

    public Task PartitionAsync(TimeSpan length) => ExclusiveAsync(async () =>
    {
        _proxy.Cut();
        await Task.Delay(length);
        _proxy.Heal();
    });

    /// <summary>After the schedule: the relay open and the worker running (faults on this slot have ended).</summary>
    public Task HealAsync() => ExclusiveAsync(() =>
    {
        _proxy.Heal();
        NoteIfExited();
        if (_process.HasExited) _process = Start();
        return Task.CompletedTask;
    });

    /// <summary>One fault at a time per worker: a kill must not land on a process another step is freezing.</summary>
    private async Task ExclusiveAsync(Func<Task> fault)
    {
        await _busy.WaitAsync();
        try { await fault(); }
        finally { _busy.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        await _busy.WaitAsync();
        if (!_process.HasExited)
        {
            await WorkerPool.SignalAsync(_process, "CONT");
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        await _proxy.DisposeAsync();
    }
}
