using System.Buffers.Binary;
using System.Text.Json;

namespace Weir.Services.Challenger;

/// <summary>
/// A run's files: <c>bench.json</c> (settings and milestones, rewritten atomically when they change) and
/// <c>events.bin</c>, an append-only log of served batches and received results (kind, batch, time, payload).
/// Appends reach the operating system at once (no fsync: a machine crash may lose the last events, a process
/// crash loses nothing); a torn last record is ignored on replay.
/// </summary>
internal sealed class BenchJournal : IDisposable
{
    public const byte Served = 1;
    public const byte Result = 2;

    private const int HeaderSize = 1 + 4 + 8 + 4;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private readonly string _folder;
    private FileStream? _events;

    public BenchJournal(string folder)
    {
        _folder = folder;
        Directory.CreateDirectory(folder);
    }

    public string Folder => _folder;

    public void WriteRecord(BenchRecord record)
    {
        var path = Path.Combine(_folder, "bench.json");
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(record, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public static BenchRecord? ReadRecord(string folder)
    {
        var path = Path.Combine(folder, "bench.json");
        return File.Exists(path) ? JsonSerializer.Deserialize<BenchRecord>(File.ReadAllBytes(path), Json) : null;
    }

    public void Append(byte kind, int batch, long timeNs, ReadOnlySpan<byte> payload)
    {
        _events ??= new FileStream(Path.Combine(_folder, "events.bin"), FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
        Span<byte> header = stackalloc byte[HeaderSize];
        header[0] = kind;
        BinaryPrimitives.WriteInt32LittleEndian(header[1..], batch);
        BinaryPrimitives.WriteInt64LittleEndian(header[5..], timeNs);
        BinaryPrimitives.WriteInt32LittleEndian(header[13..], payload.Length);
        _events.Write(header);
        _events.Write(payload);
        _events.Flush();
    }

    /// <summary>Replays the events in the order they were written.</summary>
    public void Replay(Action<byte, int, long, byte[]> apply)
    {
        var path = Path.Combine(_folder, "events.bin");
        if (!File.Exists(path))
        {
            return;
        }

        var data = File.ReadAllBytes(path);
        var at = 0;
        while (at + HeaderSize <= data.Length)
        {
            var kind = data[at];
            var batch = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(at + 1));
            var time = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(at + 5));
            var length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(at + 13));
            if (length < 0 || at + HeaderSize + length > data.Length)
            {
                break; // torn tail
            }

            apply(kind, batch, time, data.AsSpan(at + HeaderSize, length).ToArray());
            at += HeaderSize + length;
        }

        if (at < data.Length)
        {
            // Drop the torn tail so that new events follow the last whole one.
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
            file.SetLength(at);
        }
    }

    public void Dispose() => _events?.Dispose();
}
