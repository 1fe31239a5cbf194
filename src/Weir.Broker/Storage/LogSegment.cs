using System.Buffers;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Weir.Broker.Protocol;

namespace Weir.Broker.Storage;

/// <summary>
/// One file of a partition's log: record batches exactly as produced (base offset and leader epoch patched),
/// named after its first offset like Kafka's (<c>00000000000000000000.log</c>), with a sparse offset index
/// (<c>.index</c>) and time index (<c>.timeindex</c>) beside it. Appends come from one writer at a time
/// (the partition lock); reads run concurrently and only look at bytes already published through
/// <see cref="Size"/>.
/// </summary>
internal sealed class LogSegment : IDisposable, ISendableFile
{
    private const int OffsetKeySize = 4;
    private const int TimeKeySize = 8;
    private const int DropBehindReach = 2 << 20;

    // Small batches between large ones whose headers a fetch reads one by one before it copies the rest in one read.
    private const int MaxSmallBatchesWalked = 16;

    private readonly string _directory;
    private readonly int _indexIntervalBytes;
    private readonly SafeFileHandle _log;
    private SparseIndex _offsetIndex;
    private SparseIndex _timeIndex;
    private long _size;
    private long _nextOffset;
    private long _maxTimestamp = -1;
    private long _maxTimestampIndexed = long.MinValue;
    private int _bytesSinceIndexEntry;

    // Where the last fetch from this segment ended: sequential consumers start their next fetch exactly there,
    // so they skip the index lookup and header scan.
    private (long Offset, long Position) _readHint = (-1, 0);

    // Page-cache trimming (DropFromCacheBefore): where the previous request ended (read by fetches too), and where
    // the one before it did.
    private long _cacheDropRequested;
    private long _cacheDropConfirmed;

    // Holders of the log file: the segment itself, and each fetch response that will send from it (sendfile). The
    // file is closed when the last lets go, so retention or a topic deletion cannot close it under a send.
    private int _fileHolders = 1;
    private int _disposed;
    private FileStream? _sendStream;

    // The largest batch appended since the segment was created (unknown, so any size, for one opened from disk): a
    // fetch from a segment without large batches copies at once, without looking at a batch header first.
    private int _largestBatch = int.MaxValue;

    private LogSegment(string directory, long baseOffset, int indexIntervalBytes, SafeFileHandle log, SparseIndex offsetIndex, SparseIndex timeIndex, long createdAtMs)
    {
        _directory = directory;
        BaseOffset = baseOffset;
        _indexIntervalBytes = indexIntervalBytes;
        _log = log;
        _offsetIndex = offsetIndex;
        _timeIndex = timeIndex;
        _nextOffset = baseOffset;
        CreatedAtMs = createdAtMs;
    }

    public long BaseOffset { get; }

    /// <summary>Bytes of whole batches in the file (what readers may read).</summary>
    public long Size => Volatile.Read(ref _size);

    /// <summary>One past the last offset stored in this segment.</summary>
    public long NextOffset => Volatile.Read(ref _nextOffset);

    /// <summary>Largest batch MaxTimestamp in the segment, -1 when empty.</summary>
    public long MaxTimestamp => Volatile.Read(ref _maxTimestamp);

    /// <summary>When the segment was created (or, after a restart, its file's last write): drives segment.ms.</summary>
    public long CreatedAtMs { get; }

    public string LogPath => FilePath(_directory, BaseOffset, ".log");

    /// <summary>Suffix of the files of a segment removed by retention and waiting to be deleted.</summary>
    public const string DeletedSuffix = ".deleted";

    public static string FileName(long baseOffset, string extension) => baseOffset.ToString("D20", CultureInfo.InvariantCulture) + extension;

    public static string FilePath(string directory, long baseOffset, string extension) => Path.Combine(directory, FileName(baseOffset, extension));

    public static LogSegment Create(string directory, long baseOffset, int indexIntervalBytes, long nowMs)
    {
        var log = OpenLog(FilePath(directory, baseOffset, ".log"));
        RandomAccess.SetLength(log, 0);
        return new LogSegment(
            directory,
            baseOffset,
            indexIntervalBytes,
            log,
            SparseIndex.CreateEmpty(FilePath(directory, baseOffset, ".index"), OffsetKeySize),
            SparseIndex.CreateEmpty(FilePath(directory, baseOffset, ".timeindex"), TimeKeySize),
            nowMs)
        {
            _largestBatch = 0,
        };
    }

    /// <summary>
    /// Opens an existing segment. With <paramref name="recover"/> every batch is checked (length, magic, CRC),
    /// a torn or corrupt tail is cut off and the indexes are rebuilt; otherwise the indexes are trusted and only
    /// the batches after the last index entry are walked. Returns whether the file had to be truncated.
    /// </summary>
    public static LogSegment Open(string directory, long baseOffset, int indexIntervalBytes, bool recover, out bool truncated)
    {
        var logPath = FilePath(directory, baseOffset, ".log");
        var log = OpenLog(logPath);
        var createdAt = new DateTimeOffset(File.GetLastWriteTimeUtc(logPath)).ToUnixTimeMilliseconds();
        var offsetValid = SparseIndex.TryLoad(FilePath(directory, baseOffset, ".index"), OffsetKeySize, out var offsetIndex);
        var timeValid = SparseIndex.TryLoad(FilePath(directory, baseOffset, ".timeindex"), TimeKeySize, out var timeIndex);
        var segment = new LogSegment(directory, baseOffset, indexIntervalBytes, log, offsetIndex, timeIndex, createdAt);
        truncated = false;
        if (recover || !offsetValid || !timeValid || !segment.TryLoadTail())
        {
            truncated = segment.Recover();
        }

        return segment;
    }

    /// <summary>Appends one batch whose offset has been assigned; the caller holds the partition lock.</summary>
    public void Append(ReadOnlySpan<byte> batch, long baseOffset, long lastOffset, long maxTimestamp)
    {
        var position = _size;
        RandomAccess.Write(_log, batch, position);
        IndexBatch(batch.Length, baseOffset, maxTimestamp, position);
        if (batch.Length > _largestBatch)
        {
            Volatile.Write(ref _largestBatch, batch.Length);
        }

        Volatile.Write(ref _nextOffset, lastOffset + 1);
        Volatile.Write(ref _size, position + batch.Length);
    }

    /// <summary>Called when the segment stops being the active one: its time index gets a final exact entry.</summary>
    public void Seal()
    {
        if (_maxTimestamp > _maxTimestampIndexed && _size > 0)
        {
            // Points at the last indexed batch: the scan from there covers the batches after it.
            var lastBase = _offsetIndex.Count > 0 ? BaseOffset + _offsetIndex.LastKey : BaseOffset;
            AppendTimeEntry(lastBase);
        }
    }

    /// <summary>
    /// File position of the batch that contains <paramref name="offset"/> (its last offset ≥ offset), or -1 when the
    /// segment holds nothing at or after it below <paramref name="limitPosition"/>.
    /// </summary>
    public long FindPosition(long offset, long limitPosition)
    {
        var hint = _readHint;
        if (hint.Offset == offset && hint.Position <= limitPosition)
        {
            return hint.Position < limitPosition ? hint.Position : -1;
        }

        var start = _offsetIndex.TryFloor(offset - BaseOffset, out _, out var indexed) ? indexed : 0L;
        return ScanForOffset(start, limitPosition, offset);
    }

    /// <summary>
    /// Puts whole batches starting at <paramref name="position"/> into <paramref name="writer"/>: at most
    /// <paramref name="maxBytes"/>, stopping before <paramref name="endOffset"/>, never past <paramref name="limitPosition"/>.
    /// With <paramref name="minOneBatch"/> the first batch goes in whole even when it is larger than
    /// <paramref name="maxBytes"/> (KIP-74), so one big batch can never block a consumer. Returns the bytes written.
    /// <para>
    /// Batches of at least <paramref name="sendFileMinBatchBytes"/> (0: none) go in as file regions, sent from the page
    /// cache without being copied, when the read starts with one and lies in the page-cache window. Between them, runs
    /// of small batches are copied; a long run of small ones ends the walk over batch headers and the rest is copied in
    /// one read, as a read that starts with a small batch is.
    /// </para>
    /// </summary>
    public int ReadBatches(KafkaWriter writer, long position, long limitPosition, int maxBytes, bool minOneBatch, long endOffset, int sendFileMinBatchBytes)
    {
        // A reader behind the page-cache window is served by copying, which drops what it read from the cache again.
        if (sendFileMinBatchBytes <= 0 || Volatile.Read(ref _largestBatch) < sendFileMinBatchBytes || position < Volatile.Read(ref _cacheDropRequested))
        {
            return CopyBatches(writer, position, limitPosition, maxBytes, minOneBatch, endOffset);
        }

        var total = 0;
        var large = true;
        while (true)
        {
            var first = total == 0;
            var run = Run(position, limitPosition, maxBytes - total, minOneBatch && first, endOffset, sendFileMinBatchBytes, large, out var lastOffset, out var end);
            if (run == 0 && first)
            {
                return CopyBatches(writer, position, limitPosition, maxBytes, minOneBatch, endOffset);
            }

            if (run > 0)
            {
                if (large)
                {
                    ObjectDisposedException.ThrowIf(!TryHoldFile(), this);
                    writer.AddFileRegion(this, position, run);
                }
                else if (ReadFully(writer.GetSpan(run)[..run], position) == run)
                {
                    writer.Advance(run);
                }
                else
                {
                    return total;
                }

                _readHint = (lastOffset + 1, position + run);
                total += run;
                position += run;
            }

            switch (end)
            {
                case RunEnd.OtherSize:
                    large = !large;
                    break;
                case RunEnd.ManySmall:
                    return total + CopyBatches(writer, position, limitPosition, maxBytes - total, minOneBatch: false, endOffset);
                default:
                    return total;
            }
        }
    }

    /// <summary>
    /// Bytes of the run of whole batches from <paramref name="position"/> that are all large (at least
    /// <paramref name="minLargeBytes"/>) or all small, within the same limits as <see cref="ReadBatches"/>; only their
    /// headers are read. A run of small batches ends after <see cref="MaxSmallBatchesWalked"/> of them.
    /// </summary>
    private int Run(long position, long limitPosition, int maxBytes, bool minOneBatch, long endOffset, int minLargeBytes, bool large, out long lastOffset, out RunEnd end)
    {
        Span<byte> header = stackalloc byte[RecordBatch.HeaderSize];
        var used = 0;
        var batches = 0;
        lastOffset = -1;
        end = RunEnd.Limit;
        while (limitPosition - position >= RecordBatch.HeaderSize && ReadFully(header, position) == RecordBatch.HeaderSize)
        {
            var (baseOffset, size) = RecordBatch.PeekSize(header);
            if (baseOffset >= endOffset || size < RecordBatch.HeaderSize || size > limitPosition - position
                || ((long)used + size > maxBytes && !(used == 0 && minOneBatch)))
            {
                return used;
            }

            if (size >= minLargeBytes != large)
            {
                end = RunEnd.OtherSize;
                return used;
            }

            if (!large && batches == MaxSmallBatchesWalked)
            {
                end = RunEnd.ManySmall;
                return used;
            }

            lastOffset = RecordBatch.PeekLastOffset(header);
            used += size;
            position += size;
            batches++;
        }

        return used;
    }

    private int CopyBatches(KafkaWriter writer, long position, long limitPosition, int maxBytes, bool minOneBatch, long endOffset)
    {
        var available = limitPosition - position;
        if (available <= 0)
        {
            return 0;
        }

        var want = (int)Math.Min(available, Math.Max(maxBytes, minOneBatch ? RecordBatch.HeaderSize : 0));
        if (want <= 0)
        {
            return 0;
        }

        var start = writer.Length;
        var span = writer.GetSpan(want);
        var read = ReadFully(span[..want], position);
        var used = WholeBatches(span[..read], endOffset, out var lastOffset, out var firstSize);
        if (used == 0 && minOneBatch && firstSize > 0 && firstSize <= available)
        {
            // The first batch alone is bigger than the limit: return it whole (KIP-74).
            span = writer.GetSpan(firstSize);
            read = ReadFully(span[..firstSize], position);
            used = WholeBatches(span[..read], endOffset, out lastOffset, out _);
        }

        writer.Advance(used);
        writer.Truncate(start + used);
        if (used > 0)
        {
            _readHint = (lastOffset + 1, position + used);
            if (position + read <= Volatile.Read(ref _cacheDropRequested))
            {
                // A reader behind the page-cache window: what it read goes again, so catching up reuses the same
                // pages instead of filling the cache with old data at the expense of the tail. The range reaches
                // back a little: the kernel drops whole folios only, and readahead builds folios of up to 2 MiB.
                var from = Math.Max(0, position - DropBehindReach);
                PageCache.Drop(_log, from, position + read - from);
            }
        }

        return used;
    }

    /// <summary>The offset of the first record whose batch has MaxTimestamp ≥ <paramref name="timestamp"/>, with its batch bytes.</summary>
    public bool TryFindBatchByTimestamp(long timestamp, long limitPosition, out long batchPosition, out RecordBatch header)
    {
        long position = 0;
        if (_timeIndex.TryLower(timestamp, out _, out var relativeOffset))
        {
            position = _offsetIndex.TryFloor(relativeOffset, out _, out var indexed) ? indexed : 0;
        }

        Span<byte> buffer = stackalloc byte[RecordBatch.HeaderSize];
        while (position + RecordBatch.HeaderSize <= limitPosition)
        {
            if (ReadFully(buffer, position) < RecordBatch.HeaderSize)
            {
                break;
            }

            var batch = new RecordBatch(buffer);
            if (batch.MaxTimestamp >= timestamp)
            {
                batchPosition = position;
                header = batch;
                return true;
            }

            position += batch.TotalSize;
        }

        batchPosition = -1;
        header = default;
        return false;
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes at <paramref name="position"/> (fewer only at end of file).</summary>
    public int ReadFully(Span<byte> destination, long position)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var n = RandomAccess.Read(_log, destination[total..], position + total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private enum RunEnd
    {
        Limit,
        OtherSize,
        ManySmall,
    }

    /// <summary>Visits the headers of whole batches from <paramref name="position"/> until the visitor returns false.</summary>
    public delegate bool BatchVisitor(in RecordBatch batch, long position);

    /// <summary>
    /// Walks batch headers from <paramref name="position"/> to <paramref name="limitPosition"/>, reading the file in
    /// large chunks rather than one header at a time.
    /// </summary>
    public void ForEachBatch(long position, long limitPosition, BatchVisitor visitor)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (position + RecordBatch.HeaderSize <= limitPosition)
            {
                var read = ReadFully(buffer.AsSpan(0, (int)Math.Min(buffer.Length, limitPosition - position)), position);
                var at = 0;
                while (read - at >= RecordBatch.HeaderSize)
                {
                    var batch = new RecordBatch(buffer.AsSpan(at));
                    if (batch.TotalSize < RecordBatch.HeaderSize || position + at + batch.TotalSize > limitPosition || !visitor(batch, position + at))
                    {
                        return;
                    }

                    at += batch.TotalSize;
                }

                if (at == 0)
                {
                    return;
                }

                position += at;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Asks the OS to drop the log file's bytes below <paramref name="position"/> from its page cache. Each range is
    /// advised on two calls in a row: pages still dirty on the first (written back since) go on the second. Called
    /// by one thread at a time (the page-cache trimmer).
    /// </summary>
    public void DropFromCacheBefore(long position)
    {
        position = Math.Max(Math.Min(position, Size), _cacheDropRequested);
        if (position == _cacheDropConfirmed)
        {
            return; // everything below it was advised twice
        }

        PageCache.Drop(_log, _cacheDropConfirmed, position - _cacheDropConfirmed);
        _cacheDropConfirmed = _cacheDropRequested;
        Volatile.Write(ref _cacheDropRequested, position);
    }

    public void Flush()
    {
        RandomAccess.FlushToDisk(_log);
        _offsetIndex.Flush();
        _timeIndex.Flush();
    }

    /// <summary>A stream over the log file for sending regions of it (<see cref="ISendableFile"/>).</summary>
    public FileStream SendStream
    {
        get
        {
            if (Volatile.Read(ref _sendStream) is { } stream)
            {
                return stream;
            }

            // Never disposed: that would close the segment's handle, which the holders close. Its finalizer would
            // leave the handle alone too; suppressing it only saves the finalizer queue the work.
            stream = new FileStream(_log, FileAccess.Read, bufferSize: 0, isAsync: true);
            GC.SuppressFinalize(stream);
            return Interlocked.CompareExchange(ref _sendStream, stream, null) ?? stream;
        }
    }

    /// <summary>Takes a hold on the log file for a response that sends from it; false once it is closed.</summary>
    public bool TryHoldFile()
    {
        var holders = Volatile.Read(ref _fileHolders);
        while (holders > 0)
        {
            var seen = Interlocked.CompareExchange(ref _fileHolders, holders + 1, holders);
            if (seen == holders)
            {
                return true;
            }

            holders = seen;
        }

        return false;
    }

    /// <summary>Gives back a hold taken with <see cref="TryHoldFile"/> (or the segment's own, on dispose).</summary>
    public void ReleaseFile()
    {
        if (Interlocked.Decrement(ref _fileHolders) == 0)
        {
            _log.Dispose();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        ReleaseFile();
        _offsetIndex.Dispose();
        _timeIndex.Dispose();
    }

    /// <summary>
    /// Renames the files of a segment that retention removed to <c>*.deleted</c> at once (open handles keep
    /// reading), so a crash before the delayed delete cannot bring its data back on the next start.
    /// </summary>
    public void MarkDeleted()
    {
        foreach (var extension in (ReadOnlySpan<string>)[".log", ".index", ".timeindex"])
        {
            var path = FilePath(_directory, BaseOffset, extension);
            if (File.Exists(path))
            {
                File.Move(path, path + DeletedSuffix, overwrite: true);
            }
        }
    }

    /// <summary>Deletes the files of a segment that has been disposed, under either name.</summary>
    public void DeleteFiles()
    {
        foreach (var extension in (ReadOnlySpan<string>)[".log", ".index", ".timeindex"])
        {
            var path = FilePath(_directory, BaseOffset, extension);
            File.Delete(path);
            File.Delete(path + DeletedSuffix);
        }
    }

    // Asynchronous only so that a FileStream over the handle can be given to a socket's SendPacketsAsync (sendfile);
    // on Linux the flag changes nothing for the synchronous reads and writes.
    private static SafeFileHandle OpenLog(string path) =>
        File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);

    /// <summary>Length of the whole batches at the start of <paramref name="data"/> that end before <paramref name="endOffset"/>.</summary>
    private static int WholeBatches(ReadOnlySpan<byte> data, long endOffset, out long lastOffset, out int firstSize)
    {
        var used = 0;
        lastOffset = -1;
        firstSize = 0;
        while (data.Length - used >= RecordBatch.HeaderSize)
        {
            var (baseOffset, size) = RecordBatch.PeekSize(data[used..]);
            if (used == 0)
            {
                firstSize = size;
            }

            if (baseOffset >= endOffset || size > data.Length - used)
            {
                break;
            }

            lastOffset = RecordBatch.PeekLastOffset(data[used..]);
            used += size;
        }

        return used;
    }

    private long ScanForOffset(long position, long limitPosition, long offset)
    {
        var found = -1L;
        ForEachBatch(position, limitPosition, (in RecordBatch batch, long at) =>
        {
            if (batch.LastOffset < offset)
            {
                return true;
            }

            found = at;
            return false;
        });
        return found;
    }

    private void AppendTimeEntry(long baseOffset)
    {
        _timeIndex.Append(_maxTimestamp, checked((int)(baseOffset - BaseOffset)));
        _maxTimestampIndexed = _maxTimestamp;
    }

    /// <summary>Trusts the indexes and walks only the batches after the last offset-index entry. False if anything looks off.</summary>
    private bool TryLoadTail()
    {
        var fileLength = RandomAccess.GetLength(_log);
        long position = _offsetIndex.Count > 0 ? _offsetIndex.LastValue : 0;
        var maxTimestamp = _timeIndex.Count > 0 ? _timeIndex.LastKey : -1;
        var nextOffset = _offsetIndex.Count > 0 ? BaseOffset + _offsetIndex.LastKey : BaseOffset;
        if (position > fileLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[RecordBatch.HeaderSize];
        var sinceIndex = 0;
        while (position < fileLength)
        {
            if (fileLength - position < RecordBatch.HeaderSize || ReadFully(header, position) < RecordBatch.HeaderSize)
            {
                return false;
            }

            var batch = new RecordBatch(header);
            if (batch.Magic != RecordBatch.CurrentMagic || batch.TotalSize < RecordBatch.HeaderSize || position + batch.TotalSize > fileLength || batch.BaseOffset < nextOffset - 1)
            {
                return false;
            }

            nextOffset = batch.LastOffset + 1;
            maxTimestamp = Math.Max(maxTimestamp, batch.MaxTimestamp);
            sinceIndex += batch.TotalSize;
            position += batch.TotalSize;
        }

        _size = position;
        _nextOffset = nextOffset;
        _maxTimestamp = maxTimestamp;
        _maxTimestampIndexed = _timeIndex.Count > 0 ? _timeIndex.LastKey : long.MinValue;
        _bytesSinceIndexEntry = sinceIndex;
        return true;
    }

    /// <summary>Validates every batch, truncates at the first bad one and rebuilds both indexes. True if bytes were cut off.</summary>
    private bool Recover()
    {
        _offsetIndex.Dispose();
        _timeIndex.Dispose();
        _offsetIndex = SparseIndex.CreateEmpty(FilePath(_directory, BaseOffset, ".index"), OffsetKeySize);
        _timeIndex = SparseIndex.CreateEmpty(FilePath(_directory, BaseOffset, ".timeindex"), TimeKeySize);
        _size = 0;
        _nextOffset = BaseOffset;
        _maxTimestamp = -1;
        _maxTimestampIndexed = long.MinValue;
        _bytesSinceIndexEntry = 0;

        var fileLength = RandomAccess.GetLength(_log);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long position = 0;
            while (position < fileLength)
            {
                if (fileLength - position < RecordBatch.HeaderSize)
                {
                    break;
                }

                ReadFully(buffer.AsSpan(0, RecordBatch.HeaderSize), position);
                var header = new RecordBatch(buffer);
                var size = header.TotalSize;
                if (header.Magic != RecordBatch.CurrentMagic || size < RecordBatch.HeaderSize || size > fileLength - position
                    || header.BaseOffset < _nextOffset || header.LastOffsetDelta < 0)
                {
                    break;
                }

                if (size > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(size);
                }

                var batch = buffer.AsSpan(0, size);
                if (ReadFully(batch, position) < size || RecordBatch.ComputeCrc(batch) != header.Crc)
                {
                    break;
                }

                // The same indexing as a live append, so both indexes come out as if written live.
                IndexBatch(size, header.BaseOffset, header.MaxTimestamp, position);
                _nextOffset = header.LastOffset + 1;
                position += size;
            }

            var truncated = position < fileLength;
            if (truncated)
            {
                RandomAccess.SetLength(_log, position);
            }

            _size = position;
            return truncated;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Adds index entries for a batch at <paramref name="position"/>: an offset-index entry once
    /// <c>index.interval.bytes</c> have passed since the last one, and with it a time-index entry when the
    /// largest timestamp grew.
    /// </summary>
    private void IndexBatch(int length, long baseOffset, long maxTimestamp, long position)
    {
        var indexed = false;
        if (_bytesSinceIndexEntry >= _indexIntervalBytes || position == 0)
        {
            _offsetIndex.Append(baseOffset - BaseOffset, checked((int)position));
            _bytesSinceIndexEntry = 0;
            indexed = true;
        }

        _bytesSinceIndexEntry += length;
        if (maxTimestamp > _maxTimestamp)
        {
            Volatile.Write(ref _maxTimestamp, maxTimestamp);
            if (indexed || _timeIndex.Count == 0)
            {
                AppendTimeEntry(baseOffset);
            }
        }
    }
}
