using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Weir.Connectors.Http;

/// <summary>
/// Splits a stream of newline-delimited JSON (NDJSON, e.g. a chunked HTTP response body) into lines without
/// decoding them. Empty lines are skipped and a trailing '\r' is removed. A final line without a newline is
/// returned only when the stream ends cleanly; a transport that drops mid-line (HttpClient reports a chunked body
/// that ends early as an <see cref="IOException"/>) surfaces as that exception, so no partial record is returned.
/// </summary>
public static class NdjsonLineReader
{
    public const int DefaultMaxLineBytes = 1 << 20;

    /// <summary>
    /// The lines of <paramref name="stream"/>. Each line is only valid until the enumerator moves on (the buffer
    /// is reused): copy what must outlive it.
    /// </summary>
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadLinesAsync(
        Stream stream,
        int maxLineBytes = DefaultMaxLineBytes,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 1 << 16, leaveOpen: true));
        var scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (true)
                {
                    var newline = buffer.PositionOf((byte)'\n');
                    if (newline is null)
                    {
                        break;
                    }

                    var line = buffer.Slice(0, newline.Value);
                    buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
                    var length = CopyLine(line, ref scratch, maxLineBytes);
                    if (length > 0)
                    {
                        yield return scratch.AsMemory(0, length);
                    }
                }

                if (buffer.Length > maxLineBytes)
                {
                    throw new InvalidDataException($"a line is longer than {maxLineBytes} bytes");
                }

                if (result.IsCompleted)
                {
                    var length = buffer.IsEmpty ? 0 : CopyLine(buffer, ref scratch, maxLineBytes);
                    reader.AdvanceTo(buffer.End);
                    if (length > 0)
                    {
                        yield return scratch.AsMemory(0, length);
                    }

                    break;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static int CopyLine(ReadOnlySequence<byte> line, ref byte[] scratch, int maxLineBytes)
    {
        if (line.Length > maxLineBytes)
        {
            throw new InvalidDataException($"a line is longer than {maxLineBytes} bytes");
        }

        var length = (int)line.Length;
        if (length > scratch.Length)
        {
            ArrayPool<byte>.Shared.Return(scratch);
            scratch = ArrayPool<byte>.Shared.Rent(length);
        }

        line.CopyTo(scratch);
        if (length > 0 && scratch[length - 1] == (byte)'\r')
        {
            length--;
        }

        // Whitespace-only lines carry no record.
        return scratch.AsSpan(0, length).Trim(" \t"u8).IsEmpty ? 0 : length;
    }
}
