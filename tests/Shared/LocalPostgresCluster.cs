using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using JobPlatform.AppHost.Local;
using Npgsql;

namespace JobPlatform.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster from the machine's own binaries (initdb + postgres), in a temporary
/// folder, on a free loopback port, with durability switched off for speed. PostgreSQL refuses to run as
/// root, so as root the cluster is owned and run by the <c>postgres</c> user through <c>runuser</c>.
/// Shared (as a linked source file) by the tests and the benchmarks; finds and runs PostgreSQL with the AppHost's
/// own helpers (also linked).
/// </summary>
internal sealed class LocalPostgresCluster : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _binaries;
    private readonly string[] _serverArguments;
    private readonly string? _runAs;
    private Process _server;

    private LocalPostgresCluster(string directory, string binaries, string[] serverArguments, string? runAs, string connectionString)
    {
        _directory = directory;
        _binaries = binaries;
        _serverArguments = serverArguments;
        _runAs = runAs;
        _server = StartServer();
        AdminConnectionString = connectionString;
    }

    private static string DataOf(string directory) => Path.Combine(directory, "data");

    private Process StartServer() => Start(PostgresBinaries.Program(_binaries, "postgres"), _serverArguments, _runAs, CountDeadlocks);

    private int _deadlocks;

    /// <summary>How many deadlocks (40P01) the server has logged since it first started, across restarts.</summary>
    public int DeadlocksLogged => Volatile.Read(ref _deadlocks);

    private void CountDeadlocks(string line)
    {
        lock (_deadlockReports)
        {
            if (line.Contains("deadlock detected", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _deadlocks);
                _deadlockReports.Add(new System.Text.StringBuilder(line));
                _linesToKeep = LinesPerReport;
            }
            else if (_linesToKeep > 0)
            {
                _linesToKeep--;
                _deadlockReports[^1].Append(Environment.NewLine).Append(line);
            }
        }
    }

    /// <summary>A deadlock's report: its line and the log lines after it (DETAIL names both statements, then CONTEXT, STATEMENT).</summary>
    private const int LinesPerReport = 24;

    private readonly List<System.Text.StringBuilder> _deadlockReports = [];
    private int _linesToKeep;

    /// <summary>What the server logged about each deadlock, in order, from the <paramref name="first"/>th on.</summary>
    public IReadOnlyList<string> DeadlockReports(int first = 0)
    {
        lock (_deadlockReports) return [.. _deadlockReports.Skip(first).Select(r => r.ToString())];
    }

    public string AdminConnectionString { get; }

    /// <summary>The folder holding initdb and postgres, or null when PostgreSQL is not installed.</summary>
    public static string? FindBinaries() => PostgresBinaries.Find();

    /// <param name="durable">Keep PostgreSQL's default durability (fsync, synchronous commit), as benchmarks
    /// should; tests switch it off for speed.</param>
    /// <param name="settings">More server settings, <c>name=value</c> each (e.g. <c>wal_writer_delay=10s</c>).</param>
    public static async Task<LocalPostgresCluster> StartAsync(
        string binaries, CancellationToken cancellationToken, bool durable = false, IReadOnlyList<string>? settings = null)
    {
        var runAs = LocalCommand.IsRoot ? "postgres" : null;
        var directory = Path.Combine(Path.GetTempPath(), $"jobplatform-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var data = DataOf(directory);
        if (runAs is not null) await LocalCommand.RunCheckedAsync("chown", [$"{runAs}:", directory], runAs: null, cancellationToken);

        await LocalCommand.RunCheckedAsync(PostgresBinaries.Program(binaries, "initdb"),
            ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync"], runAs, cancellationToken);

        var port = FreePort();
        string[] speed = durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"];
        string[] arguments = ["-D", data, "-p", port.ToString(), "-k", directory, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=500", .. speed,
            .. (settings ?? []).SelectMany(setting => new[] { "-c", setting })];
        var connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
        var cluster = new LocalPostgresCluster(directory, binaries, arguments, runAs, connectionString);
        try
        {
            await WaitUntilAcceptingAsync(connectionString, cluster._server, cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops the server as an outage would: <paramref name="immediate"/> is PostgreSQL's crash-like "immediate"
    /// shutdown (no checkpoint; the next start recovers from the WAL), otherwise a fast shutdown. Clients'
    /// connections break either way.
    /// </summary>
    public async Task StopAsync(bool immediate, CancellationToken cancellationToken)
    {
        await LocalCommand.RunCheckedAsync(PostgresBinaries.Program(_binaries, "pg_ctl"),
            ["stop", "-D", DataOf(_directory), "-m", immediate ? "immediate" : "fast", "-w"], _runAs, cancellationToken);
        await _server.WaitForExitAsync(cancellationToken);
    }

    /// <summary>Starts the stopped server again on the same port and data, and waits until it accepts connections.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken)
    {
        if (!_server.HasExited) throw new InvalidOperationException("The server is still running.");
        _server.Dispose();
        _server = StartServer();
        await WaitUntilAcceptingAsync(AdminConnectionString, _server, cancellationToken);
    }

    private bool _disposed;

    /// <summary>Stops the server (fast shutdown) and deletes its folder; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_server.HasExited)
        {
            // SIGINT is PostgreSQL's "fast shutdown": it ends sessions and stops at once.
            Process.Start("kill", ["-INT", _server.Id.ToString()])?.WaitForExit();
            if (!await WaitForExitAsync(_server, TimeSpan.FromSeconds(20))) _server.Kill(entireProcessTree: true);
        }
        _server.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static async Task WaitUntilAcceptingAsync(string connectionString, Process server, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (server.HasExited) throw new InvalidOperationException($"postgres exited with code {server.ExitCode} while starting.");
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private static Process Start(string file, IEnumerable<string> args, string? runAs, Action<string>? onLine = null)
    {
        var (command, arguments) = LocalCommand.As(runAs, file, args);
        var info = new ProcessStartInfo(command, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        // Drain the server's output so it never blocks on a full pipe.
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) onLine?.Invoke(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onLine?.Invoke(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<bool> WaitForExitAsync(Process process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
