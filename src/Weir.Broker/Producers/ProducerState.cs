using System.Buffers.Binary;
using Weir.Broker.Protocol;
using Weir.Broker.Storage;

namespace Weir.Broker.Producers;

/// <summary>
/// Idempotent-producer state of one partition (research note section 6; apache/kafka ProducerStateEntry and
/// ProducerAppendInfo): per producer id the epoch, the last sequence and the last five batches, so a retried
/// batch is recognised and answered with its original offset instead of being written twice. Never expires
/// (research note P10). Rebuilt after a restart from a snapshot plus the batches written after it.
/// </summary>
internal sealed class ProducerState
{
    /// <summary>Batches remembered per producer (Kafka's NUM_BATCHES_TO_RETAIN).</summary>
    public const int BatchesRetained = 5;

    private const int SnapshotMagic = 0x57504931; // "WPI1"

    private readonly Dictionary<long, Entry> _producers = [];

    public int Count => _producers.Count;

    public void Clear() => _producers.Clear();

    /// <summary>The sequence after <paramref name="sequence"/> moved on by <paramref name="increment"/>, wrapping past int.MaxValue to 0.</summary>
    public static int IncrementSequence(int sequence, int increment) =>
        sequence > int.MaxValue - increment ? increment - (int.MaxValue - sequence) - 1 : sequence + increment;

    /// <summary>
    /// Checks one batch of an idempotent producer. Returns <see cref="ErrorCode.None"/> to append it,
    /// <see cref="ErrorCode.DuplicateSequenceNumber"/> with the original base offset for a retry of a batch
    /// already written, or the error to answer with.
    /// </summary>
    public ErrorCode Check(in RecordBatch batch, out long duplicateOffset)
    {
        duplicateOffset = -1;
        if (!_producers.TryGetValue(batch.ProducerId, out var entry))
        {
            // No state for this producer here yet: any sequence is accepted (Kafka does the same).
            return ErrorCode.None;
        }

        var first = batch.BaseSequence;
        var last = IncrementSequence(first, batch.LastOffsetDelta);
        if (batch.ProducerEpoch == entry.Epoch)
        {
            foreach (var cached in entry.Batches)
            {
                if (cached.FirstSequence == first && cached.LastSequence == last)
                {
                    duplicateOffset = cached.BaseOffset;
                    return ErrorCode.DuplicateSequenceNumber;
                }
            }
        }

        if (batch.ProducerEpoch < entry.Epoch)
        {
            return ErrorCode.InvalidProducerEpoch;
        }

        if (batch.ProducerEpoch > entry.Epoch)
        {
            return first == 0 ? ErrorCode.None : ErrorCode.OutOfOrderSequenceNumber;
        }

        return first == IncrementSequence(entry.LastSequence, 1) ? ErrorCode.None : ErrorCode.OutOfOrderSequenceNumber;
    }

    /// <summary>Records a batch that was written (live, or replayed from the log on start).</summary>
    public void Update(in RecordBatch batch, long baseOffset)
    {
        if (!_producers.TryGetValue(batch.ProducerId, out var entry) || batch.ProducerEpoch != entry.Epoch)
        {
            entry = new Entry { Epoch = batch.ProducerEpoch };
            _producers[batch.ProducerId] = entry;
        }

        var last = IncrementSequence(batch.BaseSequence, batch.LastOffsetDelta);
        entry.LastSequence = last;
        if (entry.Batches.Count == BatchesRetained)
        {
            entry.Batches.Dequeue();
        }

        entry.Batches.Enqueue(new CachedBatch(batch.BaseSequence, last, baseOffset));
    }

    /// <summary>Writes the state as of <paramref name="offset"/> (atomically: temp file, then rename).</summary>
    public void WriteSnapshot(string path, long offset)
    {
        using var writer = new KafkaWriter(64 + (_producers.Count * (14 + (BatchesRetained * 16))));
        writer.WriteInt32(SnapshotMagic);
        writer.WriteInt64(offset);
        writer.WriteInt32(_producers.Count);
        foreach (var (producerId, entry) in _producers)
        {
            writer.WriteInt64(producerId);
            writer.WriteInt16(entry.Epoch);
            writer.WriteInt32(entry.LastSequence);
            writer.WriteInt32(entry.Batches.Count);
            foreach (var cached in entry.Batches)
            {
                writer.WriteInt32(cached.FirstSequence);
                writer.WriteInt32(cached.LastSequence);
                writer.WriteInt64(cached.BaseOffset);
            }
        }

        writer.WriteInt32((int)Crc32C.Compute(writer.WrittenSpan));
        File.WriteAllBytes(path + ".tmp", writer.ToArray());
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Loads a snapshot; returns the offset it was taken at, or -1 (empty state) when there is none or it is damaged.</summary>
    public long ReadSnapshot(string path)
    {
        Clear();
        if (!File.Exists(path))
        {
            return -1;
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 20 || Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)) != BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(bytes.Length - 4)))
        {
            return -1;
        }

        try
        {
            var reader = new KafkaReader(bytes.AsMemory(0, bytes.Length - 4));
            if (reader.ReadInt32() != SnapshotMagic)
            {
                return -1;
            }

            var offset = reader.ReadInt64();
            var count = reader.ReadInt32();
            for (var i = 0; i < count; i++)
            {
                var producerId = reader.ReadInt64();
                var entry = new Entry { Epoch = reader.ReadInt16(), LastSequence = reader.ReadInt32() };
                var batches = reader.ReadInt32();
                for (var j = 0; j < batches; j++)
                {
                    entry.Batches.Enqueue(new CachedBatch(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt64()));
                }

                _producers[producerId] = entry;
            }

            return offset;
        }
        catch (ProtocolException)
        {
            Clear();
            return -1;
        }
    }

    private sealed class Entry
    {
        public short Epoch { get; init; }

        public int LastSequence { get; set; }

        public Queue<CachedBatch> Batches { get; } = new(BatchesRetained);
    }

    private readonly record struct CachedBatch(int FirstSequence, int LastSequence, long BaseOffset);
}
