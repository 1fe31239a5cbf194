using Weir.Broker.Protocol;

namespace Weir.Broker.Storage;

/// <summary>
/// Checks produced record batches before anything is written (research note section 3): magic 2, consistent
/// lengths and counts, a CRC-32C that matches, a known codec, no control or transactional batches, within
/// max.message.bytes. A bad batch gets the protocol's error for its partition; nothing reaches the log.
/// </summary>
internal static class BatchValidator
{
    private const int MaxCodec = 4;

    public static ErrorCode Validate(ReadOnlySpan<byte> records, bool exactlyOneBatch, int maxMessageBytes, out string? message)
    {
        if (records.Length == 0)
        {
            message = "no record batch";
            return ErrorCode.CorruptMessage;
        }

        var batches = 0;
        var position = 0;
        while (position < records.Length)
        {
            var remaining = records[position..];
            if (remaining.Length <= RecordBatch.MagicOffset)
            {
                message = "truncated record batch";
                return ErrorCode.CorruptMessage;
            }

            var magic = remaining[RecordBatch.MagicOffset];
            if (magic < RecordBatch.CurrentMagic)
            {
                message = $"message format v{magic} is not supported; use record batches v2";
                return ErrorCode.UnsupportedForMessageFormat;
            }

            if (magic != RecordBatch.CurrentMagic || remaining.Length < RecordBatch.HeaderSize)
            {
                message = magic != RecordBatch.CurrentMagic ? $"unknown magic {magic}" : "truncated record batch";
                return ErrorCode.CorruptMessage;
            }

            var header = new RecordBatch(remaining);
            var size = header.TotalSize;
            if (header.BatchLength < RecordBatch.HeaderSize - RecordBatch.LogOverhead || size > remaining.Length)
            {
                message = $"batch length {header.BatchLength} does not match the {remaining.Length} bytes sent";
                return ErrorCode.CorruptMessage;
            }

            if (size > maxMessageBytes)
            {
                message = $"batch of {size} bytes is larger than max.message.bytes {maxMessageBytes}";
                return ErrorCode.MessageTooLarge;
            }

            if (RecordBatch.ComputeCrc(remaining[..size]) != header.Crc)
            {
                message = "CRC-32C mismatch";
                return ErrorCode.CorruptMessage;
            }

            if (header.Compression > MaxCodec)
            {
                message = $"unknown compression codec {header.Compression}";
                return ErrorCode.CorruptMessage;
            }

            if (header.IsControl)
            {
                message = "clients may not produce control batches";
                return ErrorCode.InvalidRecord;
            }

            if (header.IsTransactional)
            {
                message = "transactions are not supported by this broker";
                return ErrorCode.InvalidRecord;
            }

            if (header.RecordsCount <= 0 || header.LastOffsetDelta != header.RecordsCount - 1)
            {
                message = $"record count {header.RecordsCount} does not match last offset delta {header.LastOffsetDelta}";
                return ErrorCode.InvalidRecord;
            }

            position += size;
            batches++;
        }

        if (exactlyOneBatch && batches != 1)
        {
            message = $"produce v3+ allows exactly one record batch per partition, got {batches}";
            return ErrorCode.InvalidRecord;
        }

        message = null;
        return ErrorCode.None;
    }
}
