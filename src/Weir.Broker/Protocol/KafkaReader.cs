using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Weir.Broker.Protocol;

/// <summary>
/// Reads Kafka's primitive types (big-endian integers, int16/varint-length strings, arrays, tagged fields) from a
/// request or response body. Every read checks the remaining length and throws <see cref="ProtocolException"/>
/// on malformed input, so a hostile frame can never read outside its buffer.
/// </summary>
internal ref struct KafkaReader
{
    private readonly Memory<byte> _source;
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public KafkaReader(Memory<byte> source)
    {
        _source = source;
        _span = source.Span;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _span.Length - _position;

    public sbyte ReadInt8() => (sbyte)Take(1)[0];

    public bool ReadBoolean() => Take(1)[0] != 0;

    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public Guid ReadUuid() => new(Take(16), bigEndian: true);

    public uint ReadUnsignedVarint()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Take(1)[0];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        return ProtocolException.Throw<uint>("varint longer than 5 bytes");
    }

    public int ReadVarint()
    {
        var raw = ReadUnsignedVarint();
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    public long ReadVarlong()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = Take(1)[0];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (long)(value >> 1) ^ -(long)(value & 1);
            }
        }

        return ProtocolException.Throw<long>("varlong longer than 10 bytes");
    }

    public string ReadString() =>
        ReadNullableString() ?? ProtocolException.Throw<string>("null where a string is required");

    public string? ReadNullableString()
    {
        var length = ReadInt16();
        return length switch
        {
            -1 => null,
            < -1 => ProtocolException.Throw<string>($"invalid string length {length}"),
            _ => Encoding.UTF8.GetString(Take(length)),
        };
    }

    public string ReadCompactString() =>
        ReadCompactNullableString() ?? ProtocolException.Throw<string>("null where a compact string is required");

    public string? ReadCompactNullableString()
    {
        var length = ReadUnsignedVarint();
        return length == 0 ? null : Encoding.UTF8.GetString(Take(CheckedLength(length - 1)));
    }

    /// <summary>An int32-length byte field (non-null), as a slice of the source buffer.</summary>
    public Memory<byte> ReadBytes() =>
        ReadNullableBytes() ?? ProtocolException.Throw<Memory<byte>>("null where bytes are required");

    /// <summary>An int32-length nullable byte field (length -1 = null), as a slice of the source buffer.</summary>
    public Memory<byte>? ReadNullableBytes()
    {
        var length = ReadInt32();
        if (length == -1)
        {
            return null;
        }

        if (length < -1)
        {
            ProtocolException.Throw($"invalid bytes length {length}");
        }

        var start = _position;
        Take(length);
        return _source.Slice(start, length);
    }

    public Memory<byte> ReadCompactBytes()
    {
        var length = ReadUnsignedVarint();
        if (length == 0)
        {
            ProtocolException.Throw("null where compact bytes are required");
        }

        var start = _position;
        var count = CheckedLength(length - 1);
        Take(count);
        return _source.Slice(start, count);
    }

    /// <summary>An int32 array length; -1 (null) is returned as -1, anything that cannot fit the rest of the buffer throws.</summary>
    public int ReadArrayLength()
    {
        var count = ReadInt32();
        if (count < -1 || count > Remaining)
        {
            ProtocolException.Throw($"invalid array length {count}");
        }

        return count;
    }

    /// <summary>An int32 array length where null is not allowed.</summary>
    public int ReadNonNullArrayLength()
    {
        var count = ReadArrayLength();
        return count < 0 ? ProtocolException.Throw<int>("null where an array is required") : count;
    }

    /// <summary>A compact (uvarint length+1) array length; null is returned as -1.</summary>
    public int ReadCompactArrayLength()
    {
        var raw = ReadUnsignedVarint();
        if (raw == 0)
        {
            return -1;
        }

        var count = CheckedLength(raw - 1);
        return count > Remaining ? ProtocolException.Throw<int>($"invalid compact array length {count}") : count;
    }

    /// <summary>Skips a tagged-field section (KIP-482): we understand no tags, so all of them are skipped.</summary>
    public void SkipTaggedFields()
    {
        var count = ReadUnsignedVarint();
        for (var i = 0u; i < count; i++)
        {
            ReadUnsignedVarint();
            var size = CheckedLength(ReadUnsignedVarint());
            Take(size);
        }
    }

    public void Skip(int count) => Take(count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_span.Length - _position))
        {
            ProtocolException.Throw($"truncated: needed {count} bytes at {_position}, {_span.Length - _position} left");
        }

        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    private static int CheckedLength(uint length) =>
        length > int.MaxValue ? ProtocolException.Throw<int>($"invalid length {length}") : (int)length;
}
