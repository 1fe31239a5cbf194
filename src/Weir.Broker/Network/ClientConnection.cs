using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Weir.Broker.Protocol;

namespace Weir.Broker.Network;

/// <summary>
/// One client socket. A read loop takes frames off the wire and runs each request's synchronous part in arrival
/// order (so produce appends keep the client's order); a write loop sends the responses strictly in request
/// order, waiting for slow ones (parked fetches, fsync waits) without blocking the reads behind them. The
/// in-flight queue is bounded, so a client that stops reading its responses only stalls itself.
/// </summary>
internal sealed class ClientConnection
{
    private const int PipeBufferBytes = 64 * 1024;

    private const int MaxBytesHeldPerByteReceived = 8;

    private readonly Socket _socket;
    private readonly RequestDispatcher _dispatcher;
    private readonly BrokerContext _broker;
    private readonly ILogger _log;
    private int _badInputLogged;

    public ClientConnection(Socket socket, RequestDispatcher dispatcher, BrokerContext broker, ILogger log)
    {
        _socket = socket;
        _dispatcher = dispatcher;
        _broker = broker;
        _log = log;
        ClientAddress = socket.RemoteEndPoint?.ToString() ?? "unknown";
    }

    public string ClientAddress { get; }

    public string? ClientId { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _socket.NoDelay = true;
        _broker.Metrics.Connections.Add(1);
        var stream = new NetworkStream(_socket, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: PipeBufferBytes, minimumReadSize: 16 * 1024, leaveOpen: true));
        var inFlight = Channel.CreateBounded<PendingResponse>(new BoundedChannelOptions(Math.Max(1, _broker.Options.MaxInFlightRequestsPerConnection))
        {
            SingleReader = true,
            SingleWriter = true,
        });
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writeLoop = WriteLoopAsync(stream, inFlight.Reader, closing);
        try
        {
            await ReadLoopAsync(reader, stream, inFlight.Writer, closing.Token).ConfigureAwait(false);
        }
        catch (ProtocolException error)
        {
            LogBadInput(error.Message);
        }
        catch (Exception error) when (error is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the broker is stopping.
        }
        finally
        {
            inFlight.Writer.TryComplete();
            await writeLoop.ConfigureAwait(false);
            await reader.CompleteAsync().ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
            _broker.Metrics.Connections.Add(-1);
        }
    }

    /// <summary>
    /// Logs a client's bad input once per connection, at warning level, with its address; later cases on the same
    /// connection go to debug so a misbehaving client cannot flood the log.
    /// </summary>
    public void LogBadInput(string what)
    {
        _broker.Metrics.BadRequests.Add(1);
        if (Interlocked.Exchange(ref _badInputLogged, 1) == 0)
        {
            _log.LogWarning("client {Address} ({ClientId}): {What}", ClientAddress, ClientId ?? "no client id", what);
        }
        else
        {
            _log.LogDebug("client {Address} ({ClientId}): {What}", ClientAddress, ClientId ?? "no client id", what);
        }
    }

    private async Task ReadLoopAsync(PipeReader reader, NetworkStream stream, ChannelWriter<PendingResponse> inFlight, CancellationToken cancellationToken)
    {
        var maxFrame = _broker.Options.MaxFrameBytes;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var large = default(PartialFrame);
            try
            {
                while (true)
                {
                    var taken = TakeFrame(ref buffer, maxFrame, canReadRest: !result.IsCompleted && !result.IsCanceled, out var frame, out var size, out var received);
                    if (taken == FrameState.Incomplete)
                    {
                        break;
                    }

                    if (taken == FrameState.Started)
                    {
                        large = new PartialFrame(frame, size, received);
                        break;
                    }

                    await QueueAsync(Dispatch(frame, size), inFlight, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
            }

            if (large.Frame is not null)
            {
                await QueueAsync(await ReadRestAsync(stream, large, cancellationToken).ConfigureAwait(false), inFlight, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    private static async ValueTask QueueAsync(PendingResponse pending, ChannelWriter<PendingResponse> inFlight, CancellationToken cancellationToken)
    {
        if (!inFlight.TryWrite(pending))
        {
            await inFlight.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads the rest of a large frame from the socket straight into its array. The pipe has handed over everything
    /// it buffered and reads the socket only when asked, so nothing can come between.
    /// </summary>
    private async ValueTask<PendingResponse> ReadRestAsync(NetworkStream stream, PartialFrame large, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(large.Frame.AsMemory(large.Received, large.Size - large.Received), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(large.Frame);
            throw;
        }

        return Dispatch(large.Frame, large.Size);
    }

    /// <summary>
    /// Takes the next frame off the buffer. A frame larger than one of the pipe's buffers that has not fully arrived,
    /// but of which an eighth has, is started instead: its array gets what is buffered and the caller reads the rest
    /// from the socket into it, so most of a large produce request (an LPBF tile, a producer's 1 MiB batch) is not
    /// copied a second time from the pipe's buffers.
    /// </summary>
    private static FrameState TakeFrame(ref ReadOnlySequence<byte> buffer, int maxFrame, bool canReadRest, out byte[] frame, out int size, out int received)
    {
        frame = [];
        size = 0;
        received = 0;
        if (buffer.Length < 4)
        {
            return FrameState.Incomplete;
        }

        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (size < RequestHeader.MinimumSize || size > maxFrame)
        {
            ProtocolException.Throw(size > maxFrame
                ? $"frame of {size} bytes is larger than the maximum {maxFrame}; closing the connection"
                : $"invalid frame size {size}; closing the connection");
        }

        var available = buffer.Length - 4;
        if (available < size)
        {
            // Only once an eighth has arrived: a client that announces a huge frame and sends little of it must not
            // make the broker hold much more memory than it has actually sent (up to MaxFrameBytes per connection).
            if (!canReadRest || size <= PipeBufferBytes || available * MaxBytesHeldPerByteReceived < size)
            {
                return FrameState.Incomplete;
            }

            received = (int)available;
            frame = ArrayPool<byte>.Shared.Rent(size);
            buffer.Slice(4).CopyTo(frame);
            buffer = buffer.Slice(buffer.End);
            return FrameState.Started;
        }

        frame = ArrayPool<byte>.Shared.Rent(size);
        buffer.Slice(4, size).CopyTo(frame);
        buffer = buffer.Slice(4 + size);
        return FrameState.Complete;
    }

    private PendingResponse Dispatch(byte[] frame, int size)
    {
        try
        {
            var reader = new KafkaReader(frame.AsMemory(0, size));
            var header = RequestHeader.Read(ref reader, out _);
            ClientId ??= header.ClientId;
            var context = new RequestContext(header, frame.AsMemory(reader.Position, size - reader.Position), this);
            return new PendingResponse(_dispatcher.DispatchAsync(context), frame, header);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(frame);
            throw;
        }
    }

    private async Task WriteLoopAsync(NetworkStream stream, ChannelReader<PendingResponse> inFlight, CancellationTokenSource closing)
    {
        var failed = false;
        FileRegionSender? fileSender = null;

        // A send from a file takes no cancellation token: closing the socket is what ends it when the broker stops.
        using var abortSends = closing.Token.Register(static socket => ((Socket)socket!).Close(), _socket);
        await foreach (var pending in inFlight.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            KafkaWriter? response = null;
            try
            {
                response = await pending.Response.ConfigureAwait(false);
                if (response is not null && !failed)
                {
                    if (response.FileRegions is { Count: > 0 })
                    {
                        fileSender ??= new FileRegionSender(_socket);
                        await fileSender.SendAsync(response).ConfigureAwait(false);
                    }
                    else
                    {
                        await stream.WriteAsync(response.WrittenMemory, closing.Token).ConfigureAwait(false);
                    }
                }
            }
            catch (ProtocolException error)
            {
                LogBadInput($"{pending.Header.ApiKey} v{pending.Header.ApiVersion}: {error.Message}; closing the connection");
                failed = true;
            }
            catch (Exception error) when (error is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                failed = true;
            }
            catch (Exception error)
            {
                _log.LogError(error, "client {Address}: {Api} v{Version} failed; closing the connection", ClientAddress, pending.Header.ApiKey, pending.Header.ApiVersion);
                failed = true;
            }
            finally
            {
                response?.Dispose();
                ArrayPool<byte>.Shared.Return(pending.Frame);
            }

            if (failed)
            {
                // Later responses cannot be sent out of order: stop reading and close.
                await closing.CancelAsync().ConfigureAwait(false);
                _socket.Close();
            }
        }

        fileSender?.Dispose();
    }

    private readonly record struct PendingResponse(ValueTask<KafkaWriter?> Response, byte[] Frame, RequestHeader Header);

    private readonly record struct PartialFrame(byte[] Frame, int Size, int Received);

    private enum FrameState
    {
        Incomplete,
        Started,
        Complete,
    }
}
