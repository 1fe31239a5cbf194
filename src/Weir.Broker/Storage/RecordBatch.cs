using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Weir.Broker.Storage;

/// <summary>
/// The fixed 61-byte header of a record batch v2 (apache/kafka DefaultRecordBatch.java). Offsets into the batch
/// are the constants below; the CRC covers bytes from <see cref="AttributesOffset"/> to the end, so the broker
/// can patch <c>BaseOffset</c> and <c>PartitionLeaderEpoch</c> without recomputing it.
/// </summary>
internal readonly struct RecordBatch
{
    public const int BaseOffsetOffset = 0;
    public const int BatchLengthOffset = 8;
    public const int LeaderEpochOffset = 12;
    public const int MagicOffset = 16;
    public const int CrcOffset = 17;
    public const int AttributesOffset = 21;
    public const int LastOffsetDeltaOffset = 23;
    public const int BaseTimestampOffset = 27;
    public const int MaxTimestampOffset = 35;
    public const int ProducerIdOffset = 43;
    public const int ProducerEpochOffset = 51;
    public const int BaseSequenceOffset = 53;
    public const int RecordsCountOffset = 57;
    public const int HeaderSize = 61;

    /// <summary>BaseOffset + BatchLength: enough to know where the next batch starts.</summary>
    public const int LogOverhead = 12;

    public const byte CurrentMagic = 2;
    public const short CompressionMask = 0x07;
    public const short TimestampTypeFlag = 0x08;
    public const short TransactionalFlag = 0x10;
    public const short ControlFlag = 0x20;

    private readonly long _baseOffset;

    public RecordBatch(ReadOnlySpan<byte> header)
    {
        _baseOffset = BinaryPrimitives.ReadInt64BigEndian(header);
        BatchLength = BinaryPrimitives.ReadInt32BigEndian(header[BatchLengthOffset..]);
        Magic = header[MagicOffset];
        Crc = BinaryPrimitives.ReadUInt32BigEndian(header[CrcOffset..]);
        Attributes = BinaryPrimitives.ReadInt16BigEndian(header[AttributesOffset..]);
        LastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(header[LastOffsetDeltaOffset..]);
        BaseTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[BaseTimestampOffset..]);
        MaxTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[MaxTimestampOffset..]);
        ProducerId = BinaryPrimitives.ReadInt64BigEndian(header[ProducerIdOffset..]);
        ProducerEpoch = BinaryPrimitives.ReadInt16BigEndian(header[ProducerEpochOffset..]);
        BaseSequence = BinaryPrimitives.ReadInt32BigEndian(header[BaseSequenceOffset..]);
        RecordsCount = BinaryPrimitives.ReadInt32BigEndian(header[RecordsCountOffset..]);
    }

    public long BaseOffset => _baseOffset;

    public int BatchLength { get; }

    /// <summary>Size of the whole batch on disk and on the wire.</summary>
    public int TotalSize => BatchLength + LogOverhead;

    public byte Magic { get; }

    public uint Crc { get; }

    public short Attributes { get; }

    public int LastOffsetDelta { get; }

    public long LastOffset => _baseOffset + LastOffsetDelta;

    public long BaseTimestamp { get; }

    public long MaxTimestamp { get; }

    public long ProducerId { get; }

    public short ProducerEpoch { get; }

    public int BaseSequence { get; }

    public int RecordsCount { get; }

    public int Compression => Attributes & CompressionMask;

    public bool IsTransactional => (Attributes & TransactionalFlag) != 0;

    public bool IsControl => (Attributes & ControlFlag) != 0;

    public bool IsLogAppendTime => (Attributes & TimestampTypeFlag) != 0;

    /// <summary>Reads only the first 12 bytes: base offset and the total size of the batch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (long BaseOffset, int TotalSize) PeekSize(ReadOnlySpan<byte> data) =>
        (BinaryPrimitives.ReadInt64BigEndian(data), BinaryPrimitives.ReadInt32BigEndian(data[BatchLengthOffset..]) + LogOverhead);

    /// <summary>The last offset in a batch, from its header (bytes 0-27 suffice).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long PeekLastOffset(ReadOnlySpan<byte> data) =>
        BinaryPrimitives.ReadInt64BigEndian(data) + BinaryPrimitives.ReadInt32BigEndian(data[LastOffsetDeltaOffset..]);

    /// <summary>CRC-32C over attributes..end, as stored in the header.</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch) => Crc32C.Compute(batch[AttributesOffset..]);

    /// <summary>Assigns the log position: base offset and leader epoch (neither is covered by the CRC).</summary>
    public static void AssignOffset(Span<byte> batch, long baseOffset, int leaderEpoch)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch, baseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[LeaderEpochOffset..], leaderEpoch);
    }

    /// <summary>Turns a batch into a LogAppendTime batch with the broker's clock; the CRC is recomputed.</summary>
    public static void SetLogAppendTime(Span<byte> batch, long timestamp)
    {
        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[AttributesOffset..]);
        BinaryPrimitives.WriteInt16BigEndian(batch[AttributesOffset..], (short)(attributes | TimestampTypeFlag));
        BinaryPrimitives.WriteInt64BigEndian(batch[MaxTimestampOffset..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(batch[CrcOffset..], ComputeCrc(batch));
    }
}
