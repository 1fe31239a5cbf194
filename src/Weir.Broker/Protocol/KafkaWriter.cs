using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Weir.Broker.Protocol;

/// <summary>
/// Writes Kafka's primitive types into a growable buffer rented from <see cref="ArrayPool{T}"/>. One writer
/// holds one whole response (size prefix included); dispose it to give the buffer back. A fetch response may
/// also hold <see cref="FileRegions"/>: log bytes sent from the file between the buffer's bytes, not copied in.
/// </summary>
internal sealed class KafkaWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;
    private List<FileRegion>? _fileRegions;
    private int _fileBytes;

    public KafkaWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    /// <summary>Bytes in the buffer (positions for <see cref="PatchInt32"/>, <see cref="Truncate"/>), file regions not counted.</summary>
    public int Length => _length;

    /// <summary>Bytes of <see cref="FileRegions"/>: what the response sends on top of <see cref="Length"/>.</summary>
    public int FileBytes => _fileBytes;

    /// <summary>File regions in buffer order, or null when the whole response is in the buffer.</summary>
    public IReadOnlyList<FileRegion>? FileRegions => _fileRegions;

    /// <summary>The buffer's bytes; the whole response only when there are no <see cref="FileRegions"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>The whole response as the peer receives it, file regions read in (for tests and tools).</summary>
    public byte[] ToArray()
    {
        var all = new byte[_length + _fileBytes];
        var from = 0;
        var to = 0;
        foreach (var region in _fileRegions ?? [])
        {
            _buffer.AsSpan(from, region.At - from).CopyTo(all.AsSpan(to));
            to += region.At - from;
            RandomAccess.Read(region.File.SendStream.SafeFileHandle, all.AsSpan(to, region.Length), region.Position);
            to += region.Length;
            from = region.At;
        }

        _buffer.AsSpan(from, _length - from).CopyTo(all.AsSpan(to));
        return all;
    }

    /// <summary>
    /// Sends <paramref name="length"/> bytes of <paramref name="file"/> from <paramref name="position"/> here, after
    /// the bytes written so far. The caller has taken a hold on the file for the region; the writer gives it back.
    /// </summary>
    public void AddFileRegion(ISendableFile file, long position, int length)
    {
        (_fileRegions ??= []).Add(new FileRegion(_length, file, position, length));
        _fileBytes += length;
    }

    /// <summary>Where the writer is now, to go back to with <see cref="Rewind"/>.</summary>
    public (int Length, int FileRegions) Mark() => (_length, _fileRegions?.Count ?? 0);

    /// <summary>Drops everything written, file regions included, since <paramref name="mark"/>.</summary>
    public void Rewind((int Length, int FileRegions) mark)
    {
        ReleaseFileRegions(mark.FileRegions);
        _length = mark.Length;
    }

    public void WriteInt8(sbyte value) => Grow(1)[0] = (byte)value;

    public void WriteBoolean(bool value) => Grow(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Grow(2), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Grow(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Grow(8), value);

    public void WriteUuid(Guid value) => value.TryWriteBytes(Grow(16), bigEndian: true, out _);

    public void WriteUnsignedVarint(uint value)
    {
        while (value >= 0x80)
        {
            Grow(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }

        Grow(1)[0] = (byte)value;
    }

    public void WriteVarint(int value) => WriteUnsignedVarint((uint)((value << 1) ^ (value >> 31)));

    public void WriteVarlong(long value)
    {
        var zigzag = (ulong)((value << 1) ^ (value >> 63));
        while (zigzag >= 0x80)
        {
            Grow(1)[0] = (byte)(zigzag | 0x80);
            zigzag >>= 7;
        }

        Grow(1)[0] = (byte)zigzag;
    }

    public void WriteString(string value) => WriteNullableString(value);

    public void WriteNullableString(string? value)
    {
        if (value is null)
        {
            WriteInt16(-1);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        if (count > short.MaxValue)
        {
            throw new ArgumentException($"string of {count} bytes does not fit an int16 length", nameof(value));
        }

        WriteInt16((short)count);
        Encoding.UTF8.GetBytes(value, Grow(count));
    }

    public void WriteCompactString(string value) => WriteCompactNullableString(value);

    public void WriteCompactNullableString(string? value)
    {
        if (value is null)
        {
            WriteUnsignedVarint(0);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        WriteUnsignedVarint((uint)count + 1);
        Encoding.UTF8.GetBytes(value, Grow(count));
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        value.CopyTo(Grow(value.Length));
    }

    public void WriteNullableBytes(ReadOnlyMemory<byte>? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        WriteBytes(value.Value.Span);
    }

    public void WriteCompactBytes(ReadOnlySpan<byte> value)
    {
        WriteUnsignedVarint((uint)value.Length + 1);
        value.CopyTo(Grow(value.Length));
    }

    public void WriteRaw(ReadOnlySpan<byte> value) => value.CopyTo(Grow(value.Length));

    public void WriteArrayLength(int count) => WriteInt32(count);

    public void WriteCompactArrayLength(int count) => WriteUnsignedVarint(count < 0 ? 0u : (uint)count + 1);

    /// <summary>An empty tagged-field section (we never send tags).</summary>
    public void WriteEmptyTaggedFields() => Grow(1)[0] = 0;

    /// <summary>Reserves an int32 to be filled in later with <see cref="PatchInt32"/>; returns its position.</summary>
    public int ReserveInt32()
    {
        var position = _length;
        Grow(4);
        return position;
    }

    public void PatchInt32(int position, int value) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(position, 4), value);

    /// <summary>A writable span of at least <paramref name="size"/> bytes at the end; call <see cref="Advance"/> with what was used.</summary>
    public Span<byte> GetSpan(int size)
    {
        Ensure(size);
        return _buffer.AsSpan(_length, size);
    }

    public void Advance(int count) => _length += count;

    /// <summary>
    /// Cuts the buffer back to <paramref name="length"/> (used when a read turns out shorter); never past a file
    /// region (use <see cref="Rewind"/> for that).
    /// </summary>
    public void Truncate(int length)
    {
        if (_fileRegions is { Count: > 0 } regions && regions[^1].At > length)
        {
            throw new InvalidOperationException("truncating past a file region; rewind to a mark instead");
        }

        _length = length;
    }

    public Span<byte> Slice(int position, int length) => _buffer.AsSpan(position, length);

    public void Dispose()
    {
        ReleaseFileRegions(0);
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReleaseFileRegions(int keep)
    {
        if (_fileRegions is not { } regions)
        {
            return;
        }

        for (var i = regions.Count - 1; i >= keep; i--)
        {
            _fileBytes -= regions[i].Length;
            regions[i].File.ReleaseFile();
            regions.RemoveAt(i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Grow(int count)
    {
        Ensure(count);
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Ensure(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Resize(count);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Resize(int count)
    {
        var wanted = Math.Max((long)_length + count, (long)_buffer.Length * 2);
        if (wanted > Array.MaxLength)
        {
            wanted = (long)_length + count;
        }

        var bigger = ArrayPool<byte>.Shared.Rent((int)wanted);
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = bigger;
    }
}
