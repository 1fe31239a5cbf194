using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Weir.Broker.Protocol;
using Weir.Broker.Storage;

namespace Weir.Broker.Groups;

/// <summary>
/// Committed offsets of every group, durable across restarts and crashes: an append-only file
/// (<c>groups/offsets.log</c>) of CRC-checked records, replayed on start (a torn tail is cut off) and rewritten
/// compactly when it has grown well past the live state. Plays the part of Kafka's __consumer_offsets topic.
/// </summary>
internal sealed class OffsetStore : IFlushable, IDisposable
{
    private const byte CommitRecord = 1;
    private const byte DeleteGroupRecord = 2;
    private const int RecordOverhead = 8; // int32 length + uint32 CRC-32C
    private const long CompactAboveBytes = 16 * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly string _path;
    private readonly ILogger _log;
    private readonly Dictionary<string, Dictionary<(string Topic, int Partition), CommittedOffset>> _groups = new(StringComparer.Ordinal);
    private SafeFileHandle _file;
    private long _length;
    private long _liveRecords;
    private int _dirty;

    private OffsetStore(string path, ILogger log, SafeFileHandle file)
    {
        _path = path;
        _log = log;
        _file = file;
    }

    /// <summary>Groups that have at least one committed offset.</summary>
    public IReadOnlyCollection<string> Groups
    {
        get
        {
            lock (_lock)
            {
                return [.. _groups.Keys];
            }
        }
    }

    public static OffsetStore Open(string directory, ILogger log)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "offsets.log");
        var store = new OffsetStore(path, log, File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read));
        store.Replay();
        store.Compact();
        return store;
    }

    /// <summary>Stores the offsets (one write for the whole request) and returns once the OS has them.</summary>
    public void Commit(string group, IReadOnlyList<(string Topic, int Partition, CommittedOffset Offset)> offsets)
    {
        using var writer = new KafkaWriter(64 + (offsets.Count * 64));
        foreach (var (topic, partition, offset) in offsets)
        {
            WriteCommitRecord(writer, group, topic, partition, offset);
        }

        lock (_lock)
        {
            Append(writer.WrittenSpan);
            if (!_groups.TryGetValue(group, out var committed))
            {
                _groups[group] = committed = [];
            }

            foreach (var (topic, partition, offset) in offsets)
            {
                committed[(topic, partition)] = offset;
            }

            _liveRecords += offsets.Count;
            CompactIfBloated();
        }
    }

    public bool TryGet(string group, string topic, int partition, out CommittedOffset offset)
    {
        lock (_lock)
        {
            offset = default;
            return _groups.TryGetValue(group, out var committed) && committed.TryGetValue((topic, partition), out offset);
        }
    }

    /// <summary>Every committed offset of a group, ordered by topic and partition.</summary>
    public List<(string Topic, int Partition, CommittedOffset Offset)> All(string group)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(group, out var committed))
            {
                return [];
            }

            return committed.OrderBy(e => e.Key.Topic, StringComparer.Ordinal).ThenBy(e => e.Key.Partition)
                .Select(e => (e.Key.Topic, e.Key.Partition, e.Value)).ToList();
        }
    }

    public void DeleteGroup(string group)
    {
        using var writer = new KafkaWriter();
        EndRecord(writer, BeginRecord(writer, DeleteGroupRecord, group));
        lock (_lock)
        {
            Append(writer.WrittenSpan);
            if (_groups.Remove(group, out var removed))
            {
                _liveRecords -= removed.Count;
            }
        }
    }

    public void Flush()
    {
        if (Interlocked.Exchange(ref _dirty, 0) == 0)
        {
            return;
        }

        lock (_lock)
        {
            RandomAccess.FlushToDisk(_file);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            RandomAccess.FlushToDisk(_file);
            _file.Dispose();
        }
    }

    private static void WriteCommitRecord(KafkaWriter writer, string group, string topic, int partition, CommittedOffset offset)
    {
        var start = BeginRecord(writer, CommitRecord, group);
        writer.WriteString(topic);
        writer.WriteInt32(partition);
        writer.WriteInt64(offset.Offset);
        writer.WriteInt32(offset.LeaderEpoch);
        writer.WriteNullableString(offset.Metadata);
        writer.WriteInt64(offset.CommitTimestampMs);
        EndRecord(writer, start);
    }

    private static int BeginRecord(KafkaWriter writer, byte type, string group)
    {
        var start = writer.Length;
        writer.WriteInt32(0); // length, patched
        writer.WriteInt32(0); // CRC, patched
        writer.WriteInt8((sbyte)type);
        writer.WriteString(group);
        return start;
    }

    private static void EndRecord(KafkaWriter writer, int start)
    {
        var payloadStart = start + RecordOverhead;
        var payloadLength = writer.Length - payloadStart;
        writer.PatchInt32(start, payloadLength);
        writer.PatchInt32(start + 4, (int)Crc32C.Compute(writer.WrittenSpan.Slice(payloadStart, payloadLength)));
    }

    private void Append(ReadOnlySpan<byte> records)
    {
        RandomAccess.Write(_file, records, _length);
        _length += records.Length;
        _dirty = 1;
    }

    private void Replay()
    {
        var bytes = new byte[RandomAccess.GetLength(_file)];
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(_file, bytes.AsSpan(read), read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        var position = 0;
        while (bytes.Length - position >= RecordOverhead)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(position));
            var crc = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(position + 4));
            if (length <= 0 || length > bytes.Length - position - RecordOverhead)
            {
                break;
            }

            var payload = bytes.AsMemory(position + RecordOverhead, length);
            if (Crc32C.Compute(payload.Span) != crc || !TryApply(payload))
            {
                break;
            }

            position += RecordOverhead + length;
        }

        if (position < bytes.Length)
        {
            _log.LogWarning("{Path}: cut off a torn or corrupt tail of {Bytes} bytes", _path, bytes.Length - position);
            RandomAccess.SetLength(_file, position);
        }

        _length = position;
    }

    private bool TryApply(Memory<byte> payload)
    {
        try
        {
            var reader = new KafkaReader(payload);
            var type = (byte)reader.ReadInt8();
            var group = reader.ReadString();
            if (type == DeleteGroupRecord)
            {
                _groups.Remove(group);
                return true;
            }

            if (type != CommitRecord)
            {
                return false;
            }

            var topic = reader.ReadString();
            var partition = reader.ReadInt32();
            var offset = new CommittedOffset(reader.ReadInt64(), reader.ReadInt32(), reader.ReadNullableString(), reader.ReadInt64());
            if (!_groups.TryGetValue(group, out var committed))
            {
                _groups[group] = committed = [];
            }

            committed[(topic, partition)] = offset;
            return true;
        }
        catch (ProtocolException)
        {
            return false;
        }
    }

    private void CompactIfBloated()
    {
        // Rewrites only when the file is large and mostly superseded records.
        if (_length > CompactAboveBytes && _length > _liveRecords * 256 * 4)
        {
            Compact();
        }
    }

    /// <summary>Rewrites the file with only the live offsets (temp file, fsync, rename).</summary>
    private void Compact()
    {
        var temporary = _path + ".compact";
        long length;
        using (var writer = new KafkaWriter(4096))
        {
            foreach (var (group, committed) in _groups)
            {
                foreach (var ((topic, partition), offset) in committed)
                {
                    WriteCommitRecord(writer, group, topic, partition, offset);
                }
            }

            using var compacted = File.OpenHandle(temporary, FileMode.Create, FileAccess.ReadWrite);
            RandomAccess.Write(compacted, writer.WrittenSpan, 0);
            RandomAccess.FlushToDisk(compacted);
            length = writer.Length;
        }

        _file.Dispose();
        File.Move(temporary, _path, overwrite: true);
        _file = File.OpenHandle(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        _length = length;
        _liveRecords = _groups.Values.Sum(g => (long)g.Count);
    }
}
