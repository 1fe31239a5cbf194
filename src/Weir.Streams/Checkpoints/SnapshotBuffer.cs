using System.Buffers;

namespace Weir.Streams.Checkpoints;

/// <summary>
/// One operator's snapshot, written into pooled chunks rather than a growing array. A checkpoint copies all of an
/// operator's state while the subtask waits, so that copy has to be cheap: a <see cref="MemoryStream"/> doubles
/// (copying everything so far each time) and then copies once more into an exact array, all of it fresh memory for
/// state of tens of megabytes (the LPBF job's windows hold 24-48 MB of raw pixels). Chunks come back to the pool
/// once the file is written, so the next checkpoint writes into memory already in use.
/// </summary>
internal sealed class SnapshotBuffer : Stream
{
    private const int FirstChunkBytes = 16 * 1024;
    private const int ChunkBytes = 1024 * 1024;

    /// <summary>The large chunks, kept between checkpoints (up to 64 MiB; more is allocated and dropped).</summary>
    private static readonly ArrayPool<byte> LargeChunks = ArrayPool<byte>.Create(ChunkBytes, 64);

    private readonly List<byte[]> _chunks = [];
    private int _usedInLast;
    private long _length;
    private bool _disposed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException("a snapshot is written front to back");
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (!buffer.IsEmpty)
        {
            if (_chunks.Count == 0 || _usedInLast == _chunks[^1].Length)
            {
                // Small states (most operators) stay in one small chunk; large ones go on in 1 MiB chunks.
                _chunks.Add(_chunks.Count == 0 ? ArrayPool<byte>.Shared.Rent(FirstChunkBytes) : LargeChunks.Rent(ChunkBytes));
                _usedInLast = 0;
            }

            var last = _chunks[^1];
            var count = Math.Min(buffer.Length, last.Length - _usedInLast);
            buffer[..count].CopyTo(last.AsSpan(_usedInLast));
            _usedInLast += count;
            _length += count;
            buffer = buffer[count..];
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Writes the snapshot's bytes, in order, to <paramref name="destination"/>.</summary>
    public void WriteTo(Stream destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (var i = 0; i < _chunks.Count; i++)
        {
            destination.Write(_chunks[i], 0, i == _chunks.Count - 1 ? _usedInLast : _chunks[i].Length);
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("a snapshot buffer is write-only");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("a snapshot is written front to back");

    public override void SetLength(long value) => throw new NotSupportedException("a snapshot is written front to back");

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            for (var i = 0; i < _chunks.Count; i++)
            {
                (i == 0 ? ArrayPool<byte>.Shared : LargeChunks).Return(_chunks[i]);
            }

            _chunks.Clear();
        }

        base.Dispose(disposing);
    }
}
