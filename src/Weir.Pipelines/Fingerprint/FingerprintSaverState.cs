using System.Text.Json;
using System.Text;
using Weir.Pipelines.Shared;

namespace Weir.Pipelines.Fingerprint;

/// <summary>What the saver has done so far.</summary>
internal sealed record SaverCounts(long Files, long Readings, long LateReadings, long UnmatchedReadings, int WaitingFingerprints, int PendingWindows);

/// <summary>
/// The saver's join of fingerprints with the raw readings of their window, single-threaded and free of Kafka.
/// The original wrote a fingerprint's file with whatever readings its other thread had buffered by then, and kept
/// only five minutes of readings: a fingerprint read early got too few readings, a slow job lost them. Here:
/// <list type="bullet">
/// <item>a fingerprint waits until the saver has read every reading its window can still get: the readings'
/// own watermark (per partition, minimum over partitions, same out-of-orderness as the job) has passed the window,
/// or the readings topic is read to its end;</item>
/// <item>readings wait (without limit of time) for their fingerprint; the caller stops reading readings while they
/// run more than <c>aheadMs</c> of event time ahead of the fingerprints (<see cref="ReadingsMayAdvance"/>), which
/// bounds memory when the job lags;</item>
/// <item>a reading of a window whose file is written already is late (the job sent it to fingerprint-late): it is
/// added to the file's late_readings, and the file is written again;</item>
/// <item>readings of windows that get no fingerprint (every value "null") are dropped once the fingerprints are
/// well past them, and counted.</item>
/// </list>
/// Files are written to a temporary name and renamed, and are idempotent: a replay writes the same file.
/// </summary>
internal sealed class FingerprintSaverState
{
    private readonly string _folder;
    private readonly long _windowMs;
    private readonly long _outOfOrdernessMs;
    private readonly long _aheadMs;
    private readonly Dictionary<(string Equip, long Start), List<SaverReading>> _pending = [];
    private readonly PriorityQueue<(FingerprintRecord Record, byte[] Raw, int Partition, long Offset), long> _waiting = new();
    private readonly HashSet<(string Equip, long Start)> _waitingWindows = [];
    private readonly Dictionary<(string Equip, long Start), string> _written = [];
    private readonly Dictionary<int, long> _maxReadingTime = [];
    private long _fingerprintProgress = long.MinValue;
    private long _forgottenBefore = long.MinValue;
    private long _firstReading = long.MinValue;
    private long _files;
    private long _readings;
    private long _late;
    private long _unmatched;
    private long _advances;

    public FingerprintSaverState(string folder, TimeSpan window, TimeSpan outOfOrderness, TimeSpan ahead)
    {
        _folder = folder;
        _windowMs = (long)window.TotalMilliseconds;
        _outOfOrdernessMs = (long)outOfOrderness.TotalMilliseconds;
        _aheadMs = Math.Max((long)ahead.TotalMilliseconds, (2 * _windowMs) + _outOfOrdernessMs);
        Directory.CreateDirectory(folder);
    }

    public SaverCounts Counts => new(_files, _readings, _late, _unmatched, _waiting.Count, _pending.Count);

    /// <summary>The readings' event time: every partition has delivered up to here (minus out-of-orderness).</summary>
    public long ReadingWatermark
    {
        get
        {
            if (_maxReadingTime.Count == 0)
            {
                return long.MinValue;
            }

            var min = long.MaxValue;
            foreach (var max in _maxReadingTime.Values)
            {
                min = Math.Min(min, max);
            }

            return min - _outOfOrdernessMs - 1;
        }
    }

    /// <summary>False while the readings run too far ahead of the fingerprints (the caller pauses the readings consumer).</summary>
    public bool ReadingsMayAdvance
    {
        get
        {
            if (_maxReadingTime.Count == 0)
            {
                return true;
            }

            var newest = _maxReadingTime.Values.Max();
            var baseline = _fingerprintProgress == long.MinValue ? _firstReading : _fingerprintProgress;
            return newest <= baseline + _aheadMs;
        }
    }

    /// <summary>The lowest offset per partition not yet safely in a file (commit up to here).</summary>
    public long? SafeReadingOffset(int partition, long position)
    {
        var safe = position;
        foreach (var readings in _pending.Values)
        {
            foreach (var r in readings)
            {
                if (r.Partition == partition && r.Offset < safe)
                {
                    safe = r.Offset;
                }
            }
        }

        return safe;
    }

    /// <summary>The lowest fingerprint offset per partition whose file is not written yet.</summary>
    public long SafeFingerprintOffset(int partition, long position)
    {
        var safe = position;
        foreach (var (waiting, _) in _waiting.UnorderedItems)
        {
            if (waiting.Partition == partition && waiting.Offset < safe)
            {
                safe = waiting.Offset;
            }
        }

        return safe;
    }

    public void AddReading(SaverReading reading)
    {
        _readings++;
        if (_firstReading == long.MinValue)
        {
            _firstReading = reading.TimestampMs;
        }

        _maxReadingTime[reading.Partition] = Math.Max(_maxReadingTime.GetValueOrDefault(reading.Partition, long.MinValue), reading.TimestampMs);
        var start = reading.TimestampMs - Mod(reading.TimestampMs, _windowMs);
        var window = (reading.EquipId, start);
        if (_written.TryGetValue(window, out var path)
            || (start + _windowMs <= _forgottenBefore && File.Exists(path = Path.Combine(_folder, FileName(reading.EquipId, start)))))
        {
            AddLate(path, reading);
            return;
        }

        if (!_pending.TryGetValue(window, out var readings))
        {
            _pending[window] = readings = [];
        }

        readings.Add(reading);
    }

    public void AddFingerprint(byte[] raw, int partition, long offset)
    {
        var record = FingerprintRecord.Parse(raw);
        _waiting.Enqueue((record, raw, partition, offset), record.EndMs);
        _waitingWindows.Add((record.EquipId, record.StartMs));
        _fingerprintProgress = Math.Max(_fingerprintProgress, record.EndMs);
    }

    /// <summary>
    /// Writes the files of the fingerprints whose readings are all in, and drops readings that will get no
    /// fingerprint. <paramref name="readingsAtEnd"/>: the readings topic is read to its end right now.
    /// </summary>
    public int Advance(bool readingsAtEnd)
    {
        var watermark = ReadingWatermark;
        var written = 0;
        while (_waiting.TryPeek(out var waiting, out var end) && (readingsAtEnd || watermark >= end - 1))
        {
            _waiting.Dequeue();
            _waitingWindows.Remove((waiting.Record.EquipId, waiting.Record.StartMs));
            Write(waiting.Record, waiting.Raw);
            written++;
        }

        // Readings of windows that both streams have long passed, and that no fingerprint waits for, get none
        // (every value was "null"): drop them.
        var horizon = Math.Min(_fingerprintProgress, watermark) - _aheadMs;
        if (_fingerprintProgress != long.MinValue && watermark != long.MinValue && _pending.Count > 0 && ++_advances % 64 == 0)
        {
            foreach (var (window, readings) in _pending.Where(p => p.Key.Start + _windowMs <= horizon && !_waitingWindows.Contains(p.Key)).ToList())
            {
                _unmatched += readings.Count;
                _pending.Remove(window);
            }

            // Written windows are remembered for a while; after that a (very) late reading looks for the file on disk.
            _forgottenBefore = Math.Max(_forgottenBefore, horizon - _aheadMs);
            foreach (var window in _written.Keys.Where(w => w.Start + _windowMs <= _forgottenBefore).ToList())
            {
                _written.Remove(window);
            }
        }

        return written;
    }

    private string FileName(string equipId, long start) => $"{FingerprintUuid.For(equipId, start, start + _windowMs)}_{start}_{start + _windowMs}.json";

    private void Write(FingerprintRecord record, byte[] raw)
    {
        var window = (record.EquipId, record.StartMs);
        _pending.Remove(window, out var readings);
        var sorted = (readings ?? []).OrderBy(r => r.TimestampMs).Select(r => r.Raw);
        using var fingerprint = JsonDocument.Parse(raw);
        var path = Path.Combine(_folder, SaverFile.Name(record));
        var late = File.Exists(path) ? SaverFile.Read(path).Late : [];
        WriteAtomically(path, SaverFile.Render(fingerprint.RootElement.GetProperty("fingerprint"), record.EquipId, record.StartMs, record.EndMs, sorted, late));
        _written[window] = path;
        _files++;
    }

    private void AddLate(string path, SaverReading reading)
    {
        _late++;
        var (fingerprint, readings, late) = SaverFile.Read(path);
        var canonical = Canonical(reading.Raw);
        if (late.Any(r => Canonical(r) == canonical) || readings.Any(r => Canonical(r) == canonical))
        {
            return; // a replay of one already saved
        }

        late.Add(reading.Raw);
        var start = reading.TimestampMs - Mod(reading.TimestampMs, _windowMs);
        WriteAtomically(path, SaverFile.Render(fingerprint, reading.EquipId, start, start + _windowMs, readings, late));
    }

    private static string Canonical(byte[] raw)
    {
        using var document = JsonDocument.Parse(raw);
        var text = new StringBuilder(raw.Length);
        PythonJson.Indented(text, document.RootElement);
        return text.ToString();
    }

    private static void WriteAtomically(string path, string content)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content, new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
    }

    private static long Mod(long value, long divisor) => ((value % divisor) + divisor) % divisor;
}
