using System.Buffers.Binary;
using System.Text;
using Weir.Broker.Protocol;
using Weir.Broker.Storage;

namespace Weir.Broker.Tests;

/// <summary>Builds record batches v2 byte by byte (the layout of DefaultRecordBatch.java), for log and protocol tests.</summary>
internal static class TestBatches
{
    public static byte[] Build(
        (string Value, long TimestampDelta)[] records,
        long baseTimestamp = 1_700_000_000_000,
        long producerId = -1,
        short producerEpoch = -1,
        int baseSequence = -1,
        short attributes = 0)
    {
        using var body = new KafkaWriter();
        for (var i = 0; i < records.Length; i++)
        {
            using var record = new KafkaWriter();
            record.WriteInt8(0);
            record.WriteVarlong(records[i].TimestampDelta);
            record.WriteVarint(i);
            record.WriteVarint(-1); // null key
            var value = Encoding.UTF8.GetBytes(records[i].Value);
            record.WriteVarint(value.Length);
            record.WriteRaw(value);
            record.WriteVarint(0); // no headers
            body.WriteVarint(record.Length);
            body.WriteRaw(record.WrittenSpan);
        }

        var maxDelta = records.Length == 0 ? 0 : records.Max(r => r.TimestampDelta);
        var batch = new byte[RecordBatch.HeaderSize + body.Length];
        BinaryPrimitives.WriteInt64BigEndian(batch, 0);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.BatchLengthOffset), batch.Length - RecordBatch.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.LeaderEpochOffset), -1);
        batch[RecordBatch.MagicOffset] = 2;
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatch.AttributesOffset), attributes);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.LastOffsetDeltaOffset), records.Length - 1);
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatch.BaseTimestampOffset), baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatch.MaxTimestampOffset), baseTimestamp + maxDelta);
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatch.ProducerIdOffset), producerId);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatch.ProducerEpochOffset), producerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.BaseSequenceOffset), baseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.RecordsCountOffset), records.Length);
        body.WrittenSpan.CopyTo(batch.AsSpan(RecordBatch.HeaderSize));
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatch.CrcOffset), RecordBatch.ComputeCrc(batch));
        return batch;
    }

    /// <summary>A batch of <paramref name="count"/> records of <paramref name="valueSize"/> bytes with increasing timestamps.</summary>
    public static byte[] Sized(int count, int valueSize, long baseTimestamp = 1_700_000_000_000) =>
        Build(Enumerable.Range(0, count).Select(i => (new string((char)('a' + (i % 26)), valueSize), (long)i)).ToArray(), baseTimestamp);
}
