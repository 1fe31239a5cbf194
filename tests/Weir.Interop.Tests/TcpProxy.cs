using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Weir.Interop.Tests;

/// <summary>
/// A loopback TCP relay between clients and a broker, for failure tests: it can swallow the broker's answers
/// (so requests are applied but never acknowledged), drop every connection, and switch to a restarted broker.
/// </summary>
internal sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private volatile bool _swallowResponses;

    public TcpProxy()
    {
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Where connections go (the broker's real port).</summary>
    public int BackendPort { get; set; }

    /// <summary>While true, bytes from the broker to clients are dropped.</summary>
    public bool SwallowResponses
    {
        get => _swallowResponses;
        set => _swallowResponses = value;
    }

    /// <summary>Closes every relayed connection (clients reconnect through the proxy).</summary>
    public void DropConnections()
    {
        foreach (var socket in _sockets.Keys)
        {
            socket.Close();
            _sockets.TryRemove(socket, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropConnections();
        await _accept.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            var backend = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await backend.ConnectAsync(IPAddress.Loopback, BackendPort, _stop.Token);
            }
            catch (SocketException)
            {
                client.Close();
                backend.Close();
                continue;
            }

            _sockets[client] = 0;
            _sockets[backend] = 0;
            _ = PumpAsync(client, backend, isResponse: false);
            _ = PumpAsync(backend, client, isResponse: true);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool isResponse)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                if (isResponse && _swallowResponses)
                {
                    continue;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            from.Close();
            to.Close();
            _sockets.TryRemove(from, out _);
            _sockets.TryRemove(to, out _);
        }
    }
}
