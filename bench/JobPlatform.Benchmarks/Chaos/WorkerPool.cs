using System.Diagnostics;
using JobPlatform.AppHost.Local;

namespace JobPlatform.Benchmarks.Chaos;

/// <summary>
/// The chaos run's worker processes: keeps <see cref="ChaosOptions.Workers"/> of them, kills one with SIGKILL
/// and starts its replacement, pauses one with SIGSTOP and resumes it with SIGCONT, and counts the lines each
/// has logged (warnings and errors only).
/// </summary>
public sealed class WorkerPool(Func<Process> start) : IAsyncDisposable
{
    private readonly List<Process> _alive = [];
    private readonly Random _random = new(7);
    private Process? _spared;
    private long _logLines;

    public int Kills { get; private set; }
    public int Started { get; private set; }
    public long LogLines => Interlocked.Read(ref _logLines);

    /// <summary>The last lines logged, for a report when something went wrong.</summary>
    public Queue<string> RecentLog { get; } = new();

    public void StartWorkers(int count)
    {
        for (var i = 0; i < count; i++) StartOne();
    }

    /// <summary>SIGKILL to a random worker other than the spared one, then a new one in its place.</summary>
    public async Task KillOneAsync()
    {
        Process victim;
        lock (_alive)
        {
            var candidates = _alive.Where(p => p != _spared).ToList();
            if (candidates.Count == 0) return;
            victim = candidates[_random.Next(candidates.Count)];
            _alive.Remove(victim);
        }
        // A worker that already ended must be reported, not hidden by the kill meant for it.
        if (victim.HasExited) NoteExitedOnItsOwn(victim);
        victim.Kill();
        await victim.WaitForExitAsync();
        victim.Dispose();
        Kills++;
        StartOne();
    }

    /// <summary>
    /// Picks the first worker <paramref name="preferred"/> matches (any, if none does) and spares it from the kills
    /// until <see cref="Unspare"/>: chosen and spared at once, so no kill can take it between the two (the one to pause).
    /// </summary>
    public Process Spare(Func<Process, bool> preferred)
    {
        lock (_alive) return _spared = _alive.FirstOrDefault(preferred) ?? _alive[_random.Next(_alive.Count)];
    }

    public void Unspare()
    {
        lock (_alive) _spared = null;
    }

    public Process? Find(Func<Process, bool> match)
    {
        lock (_alive) return _alive.FirstOrDefault(match);
    }

    /// <summary>Workers that ended without being killed (a worker must outlive any outage), with their exit codes.</summary>
    public List<string> ExitedOnTheirOwn { get; } = [];

    private void NoteExitedOnItsOwn(Process process) => ExitedOnTheirOwn.Add($"worker {process.Id} exited on its own with code {process.ExitCode}");

    /// <summary>The name the engine gives a worker process's server (its default: machine and process id).</summary>
    public static string ServerName(Process process) => $"{Environment.MachineName}:{process.Id}";

    /// <summary>Sends a signal with kill(1); a process that has gone already is not an error here.</summary>
    public static Task SignalAsync(Process process, string signal) =>
        LocalCommand.RunAsync("kill", [$"-{signal}", process.Id.ToString()], runAs: null, CancellationToken.None);

    private void StartOne()
    {
        var process = start();
        process.OutputDataReceived += (_, e) => Count(e.Data);
        process.ErrorDataReceived += (_, e) => Count(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_alive) _alive.Add(process);
        Started++;
    }

    private void Count(string? line)
    {
        if (line is null) return;
        Interlocked.Increment(ref _logLines);
        lock (RecentLog)
        {
            RecentLog.Enqueue(line);
            if (RecentLog.Count > 20) RecentLog.Dequeue();
        }
    }

    /// <summary>Stops the workers still alive with SIGTERM (a graceful stop), SIGKILL after 20 s.</summary>
    public async ValueTask DisposeAsync()
    {
        List<Process> alive;
        lock (_alive) alive = [.. _alive];
        foreach (var process in alive.Where(p => p.HasExited).ToList())
        {
            NoteExitedOnItsOwn(process);
            alive.Remove(process);
            process.Dispose();
        }
        foreach (var process in alive)
        {
            await SignalAsync(process, "CONT"); // a paused worker cannot stop
            await SignalAsync(process, "TERM");
        }
        foreach (var process in alive)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { process.Kill(); }
            process.Dispose();
        }
        lock (_alive) _alive.Clear();
    }
}
