using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Weir.Broker.Protocol;
using Weir.Broker.Storage;
using Weir.Testing;

namespace Weir.Broker.Tests.Storage;

public sealed class PartitionLogTests : IDisposable
{
    private readonly TempDirectory _directory = new("log");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_100_000));

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Appended_batches_read_back_byte_identical_with_their_offsets_assigned()
    {
        using var log = Open();
        var batches = new[] { TestBatches.Sized(3, 10), TestBatches.Sized(1, 50), TestBatches.Sized(5, 7) };

        var offsets = batches.Select(b => Append(log, b)).ToArray();

        Assert.Equal([0L, 3, 4], offsets);
        Assert.Equal(9, log.LogEndOffset);
        var read = ReadAll(log, 0);
        Assert.Equal(batches.Select(b => b.Length).Sum(), read.Length);
        var at = 0;
        for (var i = 0; i < batches.Length; i++)
        {
            var stored = read.AsSpan(at, batches[i].Length);
            Assert.Equal(offsets[i], new RecordBatch(stored).BaseOffset);
            Assert.Equal(0, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(stored[RecordBatch.LeaderEpochOffset..]));
            Assert.True(stored[RecordBatch.MagicOffset..].SequenceEqual(batches[i].AsSpan(RecordBatch.MagicOffset)), "bytes after the leader epoch must be stored as received");
            Assert.Equal(new RecordBatch(stored).Crc, RecordBatch.ComputeCrc(stored));
            at += batches[i].Length;
        }
    }

    [Fact]
    public void A_fetch_from_inside_a_batch_starts_with_the_batch_that_contains_the_offset()
    {
        using var log = Open(new LogConfig { IndexIntervalBytes = 64 });
        for (var i = 0; i < 200; i++)
        {
            Append(log, TestBatches.Sized(3, 20));
        }

        foreach (var target in new long[] { 0, 1, 2, 3, 100, 301, 599 })
        {
            var first = new RecordBatch(ReadOnce(log, target, 100_000));
            Assert.True(first.BaseOffset <= target && target <= first.LastOffset, $"offset {target} read batch {first.BaseOffset}..{first.LastOffset}");
        }

        Assert.Empty(ReadOnce(log, 600, 100_000));
    }

    [Fact]
    public void A_fetch_never_splits_a_batch_but_returns_an_oversize_first_batch_whole()
    {
        using var log = Open();
        var big = TestBatches.Sized(10, 100);
        Append(log, big);
        Append(log, TestBatches.Sized(1, 10));

        Assert.Equal(big.Length, ReadOnce(log, 0, 10, minOneBatch: true).Length);
        Assert.Empty(ReadOnce(log, 0, 10, minOneBatch: false));
        Assert.Equal(big.Length, ReadOnce(log, 0, big.Length + 5, minOneBatch: true).Length);
    }

    [Fact]
    public void Segments_roll_at_segment_bytes_and_everything_survives_a_reopen()
    {
        var config = new LogConfig { SegmentBytes = 1024 };
        long end;
        using (var log = Open(config))
        {
            for (var i = 0; i < 50; i++)
            {
                Append(log, TestBatches.Sized(2, 100));
            }

            Assert.True(log.SegmentCount > 5, $"expected several segments, got {log.SegmentCount}");
            end = log.LogEndOffset;
            log.Close();
        }

        using var reopened = Open(config);
        Assert.Equal(end, reopened.LogEndOffset);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), Offsets(ReadAll(reopened, 0)));
        Assert.Equal(100, Append(reopened, TestBatches.Sized(1, 1)));
    }

    [Fact]
    public void Size_retention_deletes_the_oldest_segments_and_moves_the_log_start()
    {
        using var log = Open(new LogConfig { SegmentBytes = 1024, RetentionBytes = 2048, RetentionMs = -1 });
        for (var i = 0; i < 40; i++)
        {
            Append(log, TestBatches.Sized(1, 200));
        }

        var removed = log.ApplyRetention(_time.GetUtcNow().ToUnixTimeMilliseconds());
        foreach (var segment in removed)
        {
            segment.Dispose();
        }

        Assert.NotEmpty(removed);
        Assert.True(log.SizeInBytes <= 2048 + 1024, $"size {log.SizeInBytes}");
        Assert.True(log.LogStartOffset > 0);
        Assert.Equal(log.LogStartOffset, Offsets(ReadAll(log, log.LogStartOffset)).First());
    }

    [Fact]
    public void Segments_removed_by_retention_stay_removed_after_a_crash_before_their_delayed_delete()
    {
        var config = new LogConfig { SegmentBytes = 1024, RetentionBytes = 2048, RetentionMs = -1 };
        var directory = Path.Combine(_directory.Path, "p");
        long start;
        using (var log = Open(config))
        {
            for (var i = 0; i < 40; i++)
            {
                Append(log, TestBatches.Sized(1, 200));
            }

            var removed = log.ApplyRetention(_time.GetUtcNow().ToUnixTimeMilliseconds());
            Assert.NotEmpty(removed);
            start = log.LogStartOffset;

            // The removed segments are still open (a running fetch may read them) but no longer look like data.
            Assert.All(removed, s => Assert.False(File.Exists(s.LogPath)));
            Assert.Equal(removed.Count, Directory.GetFiles(directory, "*.log" + LogSegment.DeletedSuffix).Length);
            Assert.Equal(Offsets(ReadAll(log, start)).First(), start);

            // The process dies: no delayed delete, no clean close.
            foreach (var segment in removed)
            {
                segment.Dispose();
            }

            log.Dispose();
        }

        using var reopened = Open(config);
        Assert.Equal(start, reopened.LogStartOffset);
        Assert.Equal(40, reopened.LogEndOffset);
        Assert.Empty(Directory.GetFiles(directory, "*" + LogSegment.DeletedSuffix));
    }

    [Fact]
    public void Time_retention_deletes_old_data_also_from_the_active_segment()
    {
        using var log = Open(new LogConfig { RetentionMs = 60_000 });
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Append(log, TestBatches.Sized(2, 10, baseTimestamp: now - 120_000));
        Append(log, TestBatches.Sized(2, 10, baseTimestamp: now - 90_000));

        var removed = log.ApplyRetention(now);

        Assert.Single(removed);
        Assert.Equal(4, log.LogStartOffset);
        Assert.Equal(4, log.LogEndOffset);
        Assert.Equal(4, Append(log, TestBatches.Sized(1, 10, baseTimestamp: now)));
        Assert.Empty(log.ApplyRetention(now));
    }

    [Fact]
    public void Recovery_truncates_a_torn_write_and_a_corrupt_batch()
    {
        var config = new LogConfig { IndexIntervalBytes = 1 };
        using (var log = Open(config))
        {
            for (var i = 0; i < 5; i++)
            {
                Append(log, TestBatches.Sized(2, 30));
            }

            // No Close(): an unclean stop (process killed).
            log.Dispose();
        }

        var segment = Path.Combine(_directory.Path, "p", "00000000000000000000.log");
        var bytes = File.ReadAllBytes(segment);
        var batchSize = bytes.Length / 5;
        bytes[(3 * batchSize) + 70] ^= 0x55; // corrupt the 4th batch's payload
        File.WriteAllBytes(segment, bytes[..^10]); // and tear the 5th

        using var recovered = Open(config);

        Assert.Equal(6, recovered.LogEndOffset);
        Assert.Equal(3 * batchSize, new FileInfo(segment).Length);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), Offsets(ReadAll(recovered, 0)));
        Assert.Equal(6, Append(recovered, TestBatches.Sized(1, 1)));
    }

    [Fact]
    public void Missing_or_damaged_index_files_are_rebuilt_from_the_log()
    {
        var config = new LogConfig { IndexIntervalBytes = 50 };
        using (var log = Open(config))
        {
            for (var i = 0; i < 30; i++)
            {
                Append(log, TestBatches.Sized(1, 40));
            }

            log.Close();
        }

        File.Delete(Path.Combine(_directory.Path, "p", "00000000000000000000.index"));
        File.WriteAllBytes(Path.Combine(_directory.Path, "p", "00000000000000000000.timeindex"), [1, 2, 3]);

        using var reopened = Open(config);

        Assert.Equal(30, reopened.LogEndOffset);
        Assert.Equal(17, new RecordBatch(ReadOnce(reopened, 17, 10_000)).BaseOffset);
    }

    [Fact]
    public void Timestamps_find_the_first_record_at_or_after_them()
    {
        using var log = Open();
        Append(log, TestBatches.Build([("a", 0), ("b", 10), ("c", 20)], baseTimestamp: 1000));
        Append(log, TestBatches.Build([("d", 0), ("e", 5)], baseTimestamp: 2000));

        Assert.Equal((0L, 1000L), log.FindOffsetByTimestamp(500));
        Assert.Equal((1L, 1010L), log.FindOffsetByTimestamp(1005));
        Assert.Equal((2L, 1020L), log.FindOffsetByTimestamp(1020));
        Assert.Equal((3L, 2000L), log.FindOffsetByTimestamp(1500));
        Assert.Equal((4L, 2005L), log.FindOffsetByTimestamp(2003));
        Assert.Equal((-1L, -1L), log.FindOffsetByTimestamp(3000));
    }

    [Fact]
    public void LogAppendTime_topics_stamp_batches_with_the_broker_clock()
    {
        using var log = Open(new LogConfig { LogAppendTime = true });
        var batch = TestBatches.Sized(2, 10, baseTimestamp: 5);

        Assert.Equal(ErrorCode.None, log.Append(batch, out _, out var appendTime));

        var stored = new RecordBatch(ReadOnce(log, 0, 10_000));
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), appendTime);
        Assert.True(stored.IsLogAppendTime);
        Assert.Equal(appendTime, stored.MaxTimestamp);
        Assert.Equal(stored.Crc, RecordBatch.ComputeCrc(ReadOnce(log, 0, 10_000)));
    }

    [Fact]
    public void Idempotent_duplicates_are_recognised_after_an_unclean_restart()
    {
        var first = TestBatches.Build([("a", 0), ("b", 0)], producerId: 1000, producerEpoch: 0, baseSequence: 0);
        var second = TestBatches.Build([("c", 0)], producerId: 1000, producerEpoch: 0, baseSequence: 2);
        using (var log = Open())
        {
            Append(log, first.ToArray());
            Append(log, second.ToArray());
            log.Dispose();
        }

        using var reopened = Open();

        Assert.Equal(ErrorCode.None, reopened.Append(second.ToArray(), out var offset, out _));
        Assert.Equal(2, offset);
        Assert.Equal(3, reopened.LogEndOffset);
        var gap = TestBatches.Build([("e", 0)], producerId: 1000, producerEpoch: 0, baseSequence: 9);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, reopened.Append(gap, out _, out _));
    }

    [Fact]
    public void Trimming_the_page_cache_leaves_only_the_newest_window_cached_even_after_a_reader_from_the_start()
    {
        const int window = 1 << 20;
        var pageSize = Environment.SystemPageSize;
        using var log = Open(new LogConfig { SegmentBytes = 3 << 20 });
        var batch = TestBatches.Sized(1, 100_000);
        for (var i = 0; i < 80; i++)
        {
            Append(log, batch);
        }

        log.Flush(); // clean pages: the advice drops them at once
        var files = Directory.GetFiles(Path.Combine(_directory.Path, "p"), "*.log").Order().ToArray();
        Assert.True(files.Length >= 3, $"the log should span several segments, has {files.Length}");
        var logBytes = files.Sum(f => new FileInfo(f).Length);
        Assert.True(files.Sum(f => PageCacheResidency.ResidentBytes(f)) > logBytes / 2, "freshly written log should be in the page cache before trimming");

        log.TrimPageCache(window);

        var newest = files[^1];
        var newestLength = new FileInfo(newest).Length;
        var resident = files.Sum(f => PageCacheResidency.ResidentBytes(f));
        Assert.InRange(resident, window - pageSize, window + PageCacheResidency.EdgeSlack);
        Assert.True(newestLength >= window, "the window should lie inside the newest segment in this layout");
        Assert.InRange(PageCacheResidency.ResidentBytes(newest, newestLength - window + pageSize), window - (2 * pageSize), window);

        // Dropped from the cache is not dropped from the log: every batch reads back from disk, and what a reader
        // behind the window read does not stay cached either.
        var read = ReadAll(log, 0);
        Assert.Equal(80 * batch.Length, read.Length);
        Assert.Equal(Enumerable.Range(0, 80).Select(i => (long)i), Offsets(read));
        Assert.InRange(files.Sum(f => PageCacheResidency.ResidentBytes(f)), window - pageSize, window + PageCacheResidency.EdgeSlack);
    }

    private PartitionLog Open(LogConfig? config = null) =>
        PartitionLog.Open("t", 0, Path.Combine(_directory.Path, "p"), config ?? new LogConfig(), _time, NullLogger.Instance);

    private static long Append(PartitionLog log, byte[] batch)
    {
        Assert.Equal(ErrorCode.None, log.Append(batch, out var offset, out _));
        return offset;
    }

    private static byte[] ReadOnce(PartitionLog log, long offset, int maxBytes, bool minOneBatch = true)
    {
        using var writer = new KafkaWriter();
        log.Read(writer, offset, maxBytes, minOneBatch, log.LogEndOffset, sendFileMinBatchBytes: 0);
        return writer.ToArray();
    }

    /// <summary>Reads like a consumer: fetch, move past the last batch, repeat until the end.</summary>
    private static byte[] ReadAll(PartitionLog log, long from)
    {
        var all = new List<byte>();
        var offset = from;
        while (offset < log.LogEndOffset)
        {
            var chunk = ReadOnce(log, offset, 300);
            Assert.NotEmpty(chunk);
            all.AddRange(chunk);
            offset = Offsets(chunk).Last() + 1;
        }

        return [.. all];
    }

    private static List<long> Offsets(byte[] batches)
    {
        var offsets = new List<long>();
        var at = 0;
        while (at < batches.Length)
        {
            var batch = new RecordBatch(batches.AsSpan(at));
            for (var o = batch.BaseOffset; o <= batch.LastOffset; o++)
            {
                offsets.Add(o);
            }

            at += batch.TotalSize;
        }

        return offsets;
    }
}
