using System.Net.Sockets;
using System.Threading.Tasks.Sources;
using Weir.Broker.Protocol;

namespace Weir.Broker.Network;

/// <summary>
/// Sends a response that has file regions: its buffer's bytes and, between them, the regions straight from the page
/// cache (<c>SendPacketsAsync</c>, which is <c>sendfile</c> on Linux). One per connection, reused for every such
/// response; one send at a time (the connection's write loop).
/// </summary>
internal sealed class FileRegionSender : SocketAsyncEventArgs, IValueTaskSource
{
    private const int IpProtoTcp = 6;
    private const int TcpCork = 3;

    private readonly Socket _socket;
    private ManualResetValueTaskSourceCore<bool> _completion;

    public FileRegionSender(Socket socket)
        : base(unsafeSuppressExecutionContextFlow: true)
    {
        _socket = socket;
    }

    public async ValueTask SendAsync(KafkaWriter response)
    {
        var regions = response.FileRegions!;
        var count = regions.Count + (response.Length > regions[^1].At ? 1 : 0);
        var from = 0;
        foreach (var region in regions)
        {
            count += region.At > from ? 1 : 0;
            from = region.At;
        }

        var elements = new SendPacketsElement[count];
        var next = 0;
        from = 0;
        foreach (var region in regions)
        {
            if (region.At > from)
            {
                elements[next++] = new SendPacketsElement(response.WrittenMemory[from..region.At]);
            }

            elements[next++] = new SendPacketsElement(region.File.SendStream, region.Position, region.Length, endOfPacket: false);
            from = region.At;
        }

        if (response.Length > from)
        {
            elements[next] = new SendPacketsElement(response.WrittenMemory[from..]);
        }

        // Corked, the response header leaves with the file's first bytes instead of as a small segment of its own,
        // which would wake the client for a few bytes (the socket has Nagle off).
        Cork(true);
        try
        {
            SendPacketsElements = elements;
            _completion.Reset();
            if (!_socket.SendPacketsAsync(this))
            {
                OnCompleted(this);
            }

            await new ValueTask(this, _completion.Version).ConfigureAwait(false);
        }
        finally
        {
            SendPacketsElements = null;
            Cork(false);
        }
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        if (e.SocketError == SocketError.Success)
        {
            _completion.SetResult(true);
        }
        else
        {
            _completion.SetException(new SocketException((int)e.SocketError));
        }
    }

    void IValueTaskSource.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    private void Cork(bool on)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _socket.SetRawSocketOption(IpProtoTcp, TcpCork, BitConverter.GetBytes(on ? 1 : 0));
            }
            catch (Exception error) when (error is SocketException or ObjectDisposedException)
            {
                // A closed socket fails the send itself; corking is only about packet boundaries.
            }
        }
    }
}
