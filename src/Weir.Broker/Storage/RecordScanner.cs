using System.IO.Compression;

namespace Weir.Broker.Storage;

/// <summary>
/// Looks inside one record batch for the first record at or after a timestamp (ListOffsets by time). The broker
/// otherwise never opens batches. Uncompressed and gzip batches are read record by record; for snappy, lz4 and
/// zstd (no decoder in the BCL) the batch's first offset is the answer, which is exact whenever the batch's
/// base timestamp already reaches the target (docs/broker.md "Known gaps").
/// </summary>
internal static class RecordScanner
{
    private const int GzipCodec = 1;

    public static (long Offset, long Timestamp) FirstAtOrAfter(ReadOnlySpan<byte> batch, RecordBatch header, long timestamp)
    {
        if (header.IsLogAppendTime || header.BaseTimestamp >= timestamp)
        {
            // LogAppendTime: every record carries the batch's MaxTimestamp.
            return (header.BaseOffset, header.IsLogAppendTime ? header.MaxTimestamp : header.BaseTimestamp);
        }

        if (batch.Length < header.TotalSize)
        {
            return (header.BaseOffset, header.BaseTimestamp);
        }

        var records = batch[RecordBatch.HeaderSize..header.TotalSize];
        byte[]? inflated = null;
        if (header.Compression == GzipCodec)
        {
            inflated = Gunzip(records);
            records = inflated;
        }
        else if (header.Compression != 0)
        {
            return (header.BaseOffset, header.BaseTimestamp);
        }

        var at = 0;
        for (var i = 0; i < header.RecordsCount && at < records.Length; i++)
        {
            var length = ReadVarint(records, ref at);
            var next = at + length;
            at++; // attributes
            var timestampDelta = ReadVarlong(records, ref at);
            var offsetDelta = ReadVarint(records, ref at);
            var recordTimestamp = header.BaseTimestamp + timestampDelta;
            if (recordTimestamp >= timestamp)
            {
                return (header.BaseOffset + offsetDelta, recordTimestamp);
            }

            at = next;
        }

        // MaxTimestamp said a record is this recent; a malformed batch falls back to its last offset.
        return (header.LastOffset, header.MaxTimestamp);
    }

    private static byte[] Gunzip(ReadOnlySpan<byte> compressed)
    {
        using var input = new MemoryStream(compressed.ToArray());
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    private static int ReadVarint(ReadOnlySpan<byte> data, ref int at)
    {
        var raw = (uint)ReadUnsigned(data, ref at, 5);
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    private static long ReadVarlong(ReadOnlySpan<byte> data, ref int at)
    {
        var raw = ReadUnsigned(data, ref at, 10);
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    private static ulong ReadUnsigned(ReadOnlySpan<byte> data, ref int at, int maxBytes)
    {
        ulong value = 0;
        for (var i = 0; i < maxBytes && at < data.Length; i++)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        return value;
    }
}
