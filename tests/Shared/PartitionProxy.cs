using System.Net;
using System.Net.Sockets;

namespace JobPlatform.Testing;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a server, which can cut the network the way a partition does: while cut,
/// nothing is relayed either way and new connections are accepted but go nowhere — no error, no reset, just
/// silence, unlike a stopped server that refuses at once. <see cref="Heal"/> relays again what was held.
/// </summary>
internal sealed class PartitionProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private volatile TaskCompletionSource _open = Opened();

    public PartitionProxy(string targetHost, int targetPort)
    {
        (_targetHost, _targetPort) = (targetHost, targetPort);
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Cut()
    {
        if (_open.Task.IsCompleted) _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Heal() => _open.TrySetResult();

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_connections) _connections.Add(client);
                _ = RelayAsync(client);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        try
        {
            await _open.Task.WaitAsync(_stop.Token); // a connection made during a cut hangs, as a SYN into the void would
            using var server = new TcpClient();
            lock (_connections) _connections.Add(server);
            await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            await Task.WhenAny(PumpAsync(client.GetStream(), server.GetStream()), PumpAsync(server.GetStream(), client.GetStream()));
        }
        catch (Exception)
        {
            // The test is over, or one side closed.
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            await _open.Task.WaitAsync(_stop.Token); // held, not dropped: TCP would retransmit it after the heal
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_connections) foreach (var connection in _connections) connection.Dispose();
        _stop.Dispose();
    }
}
