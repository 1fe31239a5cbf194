using System.Globalization;
using Microsoft.Extensions.Logging;
using Weir.Broker.Producers;
using Weir.Broker.Protocol;

namespace Weir.Broker.Storage;

/// <summary>
/// The log of one topic partition: a list of segments, the log start and end offsets, and the lock that orders
/// appends. On one node the high watermark is the log end offset (and, without transactions, so is the last
/// stable offset). Readers never take the lock: they read a snapshot of the segment array and the published
/// end offset.
/// </summary>
internal sealed class PartitionLog : IDisposable
{
    private const string RecoveryPointFile = "recovery-point";
    private const string ProducerStateFile = "producer-state";

    private readonly Lock _lock = new();
    private readonly Lock _flushLock = new();
    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly List<LogSegment> _unflushed = [];
    private readonly ProducerState _producers = new();
    private readonly LogConfig _config;
    private LogSegment[] _segments;
    private long _logEndOffset;
    private long _logStartOffset;
    private long _recoveryPoint;
    private TaskCompletionSource? _appended;
    private bool _closed;
    private int _dirty;

    private PartitionLog(string topic, int partition, string directory, LogConfig config, TimeProvider time, ILogger log, LogSegment[] segments, long recoveryPoint)
    {
        Topic = topic;
        Partition = partition;
        _directory = directory;
        _config = config;
        _time = time;
        _log = log;
        _segments = segments;
        _logStartOffset = segments[0].BaseOffset;
        _logEndOffset = segments[^1].NextOffset;
        _recoveryPoint = recoveryPoint;
        _unflushed.Add(segments[^1]);
    }

    public string Topic { get; }

    public int Partition { get; }

    public string Directory => _directory;

    /// <summary>Next offset to be written = high watermark = last stable offset on this single node.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    public LogConfig Config => _config;

    public long SizeInBytes
    {
        get
        {
            long total = 0;
            foreach (var segment in Volatile.Read(ref _segments))
            {
                total += segment.Size;
            }

            return total;
        }
    }

    public int SegmentCount => Volatile.Read(ref _segments).Length;

    /// <summary>True once the partition is closed (broker stopping or topic deleted).</summary>
    public bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>
    /// Opens (or creates) the partition directory. Segments that may hold data written after the last fsync
    /// (all of them after an unclean stop, from the recovery point on) are validated batch by batch and a torn
    /// tail is truncated.
    /// </summary>
    public static PartitionLog Open(string topic, int partition, string directory, LogConfig config, TimeProvider time, ILogger log)
    {
        System.IO.Directory.CreateDirectory(directory);
        var (recoveryPoint, clean) = ReadRecoveryPoint(directory);
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*" + LogSegment.DeletedSuffix))
        {
            File.Delete(path); // removed by retention before a crash or stop; its delayed delete never ran
        }

        var bases = new List<long>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*.log"))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var baseOffset))
            {
                bases.Add(baseOffset);
            }
        }

        bases.Sort();
        var segments = new List<LogSegment>();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        for (var i = 0; i < bases.Count; i++)
        {
            var last = i == bases.Count - 1;
            var recover = !clean && (last || bases[i + 1] > recoveryPoint);
            var segment = LogSegment.Open(directory, bases[i], config.IndexIntervalBytes, recover, out var truncated);
            if (segments.Count > 0 && segment.BaseOffset < segments[^1].NextOffset)
            {
                log.LogWarning("{Topic}-{Partition}: segment {Base} overlaps the previous one; it and later segments are dropped", topic, partition, segment.BaseOffset);
                segment.Dispose();
                DeleteSegmentsFrom(directory, bases, i);
                break;
            }

            segments.Add(segment);
            if (truncated)
            {
                log.LogWarning("{Topic}-{Partition}: recovered segment {Base} by truncating a torn or corrupt tail at offset {Next}", topic, partition, segment.BaseOffset, segment.NextOffset);
                if (!last)
                {
                    DeleteSegmentsFrom(directory, bases, i + 1);
                    break;
                }
            }
        }

        if (segments.Count == 0)
        {
            segments.Add(LogSegment.Create(directory, recoveryPoint > 0 && bases.Count == 0 ? recoveryPoint : 0, config.IndexIntervalBytes, now));
        }

        var partitionLog = new PartitionLog(topic, partition, directory, config, time, log, [.. segments], segments[^1].BaseOffset);
        partitionLog.RebuildProducerState();
        WriteRecoveryPoint(directory, segments[^1].BaseOffset, clean: false);
        return partitionLog;
    }

    /// <summary>
    /// Appends one or more validated record batches (the buffer is patched in place: base offset, leader
    /// epoch, LogAppendTime), after the idempotent-producer checks. A retried batch that is already in the log
    /// is not written again: the answer is its original base offset. Returns the error for the partition.
    /// </summary>
    public ErrorCode Append(Span<byte> records, out long baseOffset, out long logAppendTime)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            var config = _config;
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            logAppendTime = config.LogAppendTime ? now : -1;
            baseOffset = _logEndOffset;
            var position = 0;
            while (position < records.Length)
            {
                var size = RecordBatch.PeekSize(records[position..]).TotalSize;
                var batch = records.Slice(position, size);
                var header = new RecordBatch(batch);
                if (header.ProducerId >= 0)
                {
                    var check = _producers.Check(header, out var original);
                    if (check == ErrorCode.DuplicateSequenceNumber && position == 0 && size == records.Length)
                    {
                        baseOffset = original;
                        return ErrorCode.None;
                    }

                    if (check != ErrorCode.None)
                    {
                        return check;
                    }
                }

                var offset = _logEndOffset;
                var maxTimestamp = header.MaxTimestamp;
                RecordBatch.AssignOffset(batch, offset, leaderEpoch: 0);
                if (config.LogAppendTime)
                {
                    RecordBatch.SetLogAppendTime(batch, now);
                    maxTimestamp = now;
                }

                var lastOffset = offset + header.LastOffsetDelta;
                ActiveSegmentFor(size, lastOffset, now, config).Append(batch, offset, lastOffset, maxTimestamp);
                if (header.ProducerId >= 0)
                {
                    _producers.Update(header, offset);
                }

                Volatile.Write(ref _logEndOffset, lastOffset + 1);
                position += size;
            }

            _dirty = 1;
        }

        Interlocked.Exchange(ref _appended, null)?.TrySetResult();
        return ErrorCode.None;
    }

    /// <summary>A task that completes at the next append (or when the partition closes). Used by parked fetches.</summary>
    public Task WaitForAppendAsync()
    {
        var current = Volatile.Read(ref _appended);
        if (current is not null)
        {
            return current.Task;
        }

        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        current = Interlocked.CompareExchange(ref _appended, created, null) ?? created;
        if (Volatile.Read(ref _closed))
        {
            current.TrySetResult();
        }

        return current.Task;
    }

    /// <summary>
    /// Writes the records field for a fetch: whole batches from the segment holding <paramref name="offset"/>,
    /// below <paramref name="highWatermark"/>; batches of at least <paramref name="sendFileMinBatchBytes"/> (0: none) as
    /// file regions of the writer, sent without a copy. Returns the bytes written (0 when there is nothing yet).
    /// </summary>
    public int Read(KafkaWriter writer, long offset, int maxBytes, bool minOneBatch, long highWatermark, int sendFileMinBatchBytes)
    {
        var segments = Volatile.Read(ref _segments);
        for (var i = FloorSegment(segments, offset); i < segments.Length; i++)
        {
            var segment = segments[i];
            var limit = segment.Size;
            var position = segment.FindPosition(offset, limit);
            if (position >= 0)
            {
                return segment.ReadBatches(writer, position, limit, maxBytes, minOneBatch, highWatermark, sendFileMinBatchBytes);
            }
        }

        return 0;
    }

    /// <summary>Roughly how many bytes a fetch from <paramref name="offset"/> would get now (for fetch.min.bytes).</summary>
    public long BytesAvailableAfter(long offset)
    {
        if (offset >= LogEndOffset)
        {
            return 0;
        }

        var segments = Volatile.Read(ref _segments);
        var active = segments[^1];
        return offset >= active.BaseOffset ? Math.Max(1, active.Size - active.FindPosition(offset, active.Size)) : long.MaxValue;
    }

    /// <summary>
    /// The first offset whose record timestamp is at or after <paramref name="timestamp"/>, with that timestamp;
    /// (-1, -1) when no record is that recent.
    /// </summary>
    public (long Offset, long Timestamp) FindOffsetByTimestamp(long timestamp)
    {
        foreach (var segment in Volatile.Read(ref _segments))
        {
            if (segment.MaxTimestamp < timestamp)
            {
                continue;
            }

            var limit = segment.Size;
            if (segment.TryFindBatchByTimestamp(timestamp, limit, out var position, out var header))
            {
                var batch = new byte[header.TotalSize];
                var read = segment.ReadFully(batch, position);
                return RecordScanner.FirstAtOrAfter(batch.AsSpan(0, read), header, timestamp);
            }
        }

        return (-1, -1);
    }

    /// <summary>
    /// Deletes whole segments past retention.ms / retention.bytes (never the only segment). An active segment
    /// whose records are all past retention.ms is rolled first so it can go too. Returns the segments removed.
    /// </summary>
    public IReadOnlyList<LogSegment> ApplyRetention(long nowMs)
    {
        var config = Config;
        if (!config.DeleteRetention || (config.RetentionMs < 0 && config.RetentionBytes < 0))
        {
            return [];
        }

        lock (_lock)
        {
            if (_closed)
            {
                return [];
            }

            var active = _segments[^1];
            if (config.RetentionMs >= 0 && active.Size > 0 && active.MaxTimestamp < nowMs - config.RetentionMs)
            {
                Roll(nowMs);
            }

            var segments = _segments;
            var total = 0L;
            foreach (var segment in segments)
            {
                total += segment.Size;
            }

            var remove = 0;
            while (remove < segments.Length - 1)
            {
                var segment = segments[remove];
                var expired = config.RetentionMs >= 0 && segment.MaxTimestamp < nowMs - config.RetentionMs;
                var oversize = config.RetentionBytes >= 0 && total - segment.Size >= config.RetentionBytes;
                if (!expired && !oversize)
                {
                    break;
                }

                total -= segment.Size;
                remove++;
            }

            if (remove == 0)
            {
                return [];
            }

            var removed = segments[..remove];
            foreach (var segment in removed)
            {
                segment.MarkDeleted();
            }

            Volatile.Write(ref _segments, segments[remove..]);
            Volatile.Write(ref _logStartOffset, _segments[0].BaseOffset);
            _unflushed.RemoveAll(s => Array.IndexOf(removed, s) >= 0);
            _log.LogInformation("{Topic}-{Partition}: retention deleted {Count} segment(s); log starts at {Start}", Topic, Partition, remove, _logStartOffset);
            return removed;
        }
    }

    /// <summary>
    /// fsyncs everything appended since the last flush. Returns false when there was nothing to do. Flushes are
    /// serialised: a caller that finds another flush running waits for it, so "returned" always means "on disk".
    /// </summary>
    public bool Flush()
    {
        lock (_flushLock)
        {
            if (Interlocked.Exchange(ref _dirty, 0) == 0)
            {
                return false;
            }

            LogSegment[] pending;
            lock (_lock)
            {
                if (_closed)
                {
                    return false;
                }

                pending = [.. _unflushed];
            }

            foreach (var segment in pending)
            {
                segment.Flush();
            }

            lock (_lock)
            {
                if (_closed)
                {
                    // Closed while this flush ran (a roll's background flush racing a stop): the closer has written
                    // the recovery point, and a new instance may already own the directory.
                    return true;
                }

                var active = _segments[^1];
                var sealedFlushed = _unflushed.RemoveAll(s => s != active && Array.IndexOf(pending, s) >= 0) > 0;
                if (sealedFlushed && active.BaseOffset > _recoveryPoint)
                {
                    // Everything before the active segment is on disk: a crash only needs the active one checked.
                    _recoveryPoint = active.BaseOffset;
                    WriteRecoveryPoint(_directory, _recoveryPoint, clean: false);
                }
            }

            return true;
        }
    }

    /// <summary>
    /// Leaves the newest <paramref name="windowBytes"/> of the log in the OS page cache and asks the OS to drop
    /// everything older (see <see cref="BrokerOptions.PageCacheWindowBytes"/>). Called by the page-cache trimmer only.
    /// </summary>
    public void TrimPageCache(long windowBytes)
    {
        if (IsClosed)
        {
            return;
        }

        var segments = Volatile.Read(ref _segments);
        var cached = windowBytes;
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            var size = segments[i].Size;
            if (cached >= size)
            {
                cached -= size;
                continue;
            }

            segments[i].DropFromCacheBefore(size - cached);
            cached = 0;
        }
    }

    /// <summary>Flushes and closes every segment; records a clean shutdown so the next start skips recovery.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            foreach (var segment in _segments)
            {
                segment.Flush();
                segment.Dispose();
            }

            _producers.WriteSnapshot(Path.Combine(_directory, ProducerStateFile), _logEndOffset);
            WriteRecoveryPoint(_directory, _logEndOffset, clean: true);
        }

        Interlocked.Exchange(ref _appended, null)?.TrySetResult();
    }

    /// <summary>Closes without the clean-shutdown marker (topic deletion: the files are about to go).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            foreach (var segment in _segments)
            {
                segment.Dispose();
            }
        }

        Interlocked.Exchange(ref _appended, null)?.TrySetResult();
    }

    /// <summary>Producer state = the last snapshot + the idempotent batches written after it.</summary>
    private void RebuildProducerState()
    {
        var from = _producers.ReadSnapshot(Path.Combine(_directory, ProducerStateFile));
        if (from < 0 || from > _logEndOffset)
        {
            _producers.Clear();
            from = _logStartOffset;
        }

        var segments = _segments;
        for (var i = FloorSegment(segments, from); i < segments.Length; i++)
        {
            var segment = segments[i];
            var limit = segment.Size;
            var start = from > segment.BaseOffset ? segment.FindPosition(from, limit) : 0;
            if (start < 0)
            {
                continue;
            }

            segment.ForEachBatch(start, limit, (in RecordBatch batch, long _) =>
            {
                if (batch.ProducerId >= 0 && batch.BaseOffset >= from)
                {
                    _producers.Update(batch, batch.BaseOffset);
                }

                return true;
            });
        }
    }

    private void FlushAfterRoll()
    {
        try
        {
            Flush();
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            _log.LogWarning(error, "{Topic}-{Partition}: flushing a rolled segment failed; recovery will check it", Topic, Partition);
        }
    }

    private static int FloorSegment(LogSegment[] segments, long offset)
    {
        int lo = 0, hi = segments.Length - 1, best = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (segments[mid].BaseOffset <= offset)
            {
                best = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return best;
    }

    private static (long RecoveryPoint, bool Clean) ReadRecoveryPoint(string directory)
    {
        var path = Path.Combine(directory, RecoveryPointFile);
        try
        {
            var parts = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return (offset, parts[1] == "clean");
            }
        }
        catch (FileNotFoundException)
        {
        }

        return (0, false);
    }

    private static void WriteRecoveryPoint(string directory, long offset, bool clean)
    {
        var path = Path.Combine(directory, RecoveryPointFile);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, string.Create(CultureInfo.InvariantCulture, $"{offset} {(clean ? "clean" : "dirty")}\n"));
        File.Move(temporary, path, overwrite: true);
    }

    private static void DeleteSegmentsFrom(string directory, List<long> bases, int from)
    {
        for (var j = from; j < bases.Count; j++)
        {
            foreach (var extension in (ReadOnlySpan<string>)[".log", ".index", ".timeindex"])
            {
                File.Delete(LogSegment.FilePath(directory, bases[j], extension));
            }
        }
    }

    private LogSegment ActiveSegmentFor(int batchSize, long lastOffset, long nowMs, LogConfig config)
    {
        // Index entries hold offsets relative to the segment base as int32, so a segment also rolls before that overflows.
        var active = _segments[^1];
        if (active.Size > 0 && (active.Size + batchSize > config.SegmentBytes || nowMs - active.CreatedAtMs > config.SegmentMs
            || lastOffset - active.BaseOffset >= int.MaxValue))
        {
            return Roll(nowMs);
        }

        return active;
    }

    private LogSegment Roll(long nowMs)
    {
        var previous = _segments[^1];
        previous.Seal();
        var next = LogSegment.Create(_directory, _logEndOffset, _config.IndexIntervalBytes, nowMs);
        Volatile.Write(ref _segments, [.. _segments, next]);

        // After a crash only the batches after this snapshot need replaying to rebuild producer state.
        _producers.WriteSnapshot(Path.Combine(_directory, ProducerStateFile), _logEndOffset);
        _unflushed.Add(next);
        _dirty = 1;

        // Whatever the fsync policy, a sealed segment goes to disk now, so crash recovery only checks the active one.
        _ = Task.Run(FlushAfterRoll);
        return next;
    }
}
