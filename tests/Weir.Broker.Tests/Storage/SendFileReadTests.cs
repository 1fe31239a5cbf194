using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Weir.Broker.Protocol;
using Weir.Broker.Storage;
using Weir.Testing;

namespace Weir.Broker.Tests.Storage;

/// <summary>
/// Fetch reads that leave large batches in the file, as regions the connection sends with sendfile, and copy the
/// small ones: which batches go which way, the limits they keep, and how long the file stays open.
/// </summary>
public sealed class SendFileReadTests : IDisposable
{
    private const int Threshold = 64 * 1024;

    private readonly TempDirectory _directory = new("sendfile");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_100_000));

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Runs_of_large_batches_become_file_regions_and_the_small_batches_between_them_are_copied()
    {
        using var log = Open();
        var large1 = TestBatches.Sized(1, 100_000);
        var large2 = TestBatches.Sized(2, 50_000);
        var small = TestBatches.Sized(3, 10);
        var large3 = TestBatches.Sized(1, 90_000);
        Append(log, large1, large2, small, large3);

        using var writer = new KafkaWriter();
        var written = log.Read(writer, 0, 1 << 20, minOneBatch: true, log.LogEndOffset, Threshold);

        Assert.Equal(
            [new(0, writer.FileRegions![0].File, 0, large1.Length + large2.Length), new(small.Length, writer.FileRegions[0].File, large1.Length + large2.Length + small.Length, large3.Length)],
            writer.FileRegions);
        Assert.Equal(small.Length, writer.Length);
        Assert.Equal(large1.Length + large2.Length + small.Length + large3.Length, written);
        Assert.Equal(Copied(log, 0, 1 << 20, minOneBatch: true), writer.ToArray());

        // A read that starts with a small batch copies everything, large batches too, in one read of the file.
        using var fromSmall = new KafkaWriter();
        log.Read(fromSmall, 3, 1 << 20, minOneBatch: true, log.LogEndOffset, Threshold);
        Assert.Null(fromSmall.FileRegions);
        Assert.Equal(small.Length + large3.Length, fromSmall.Length);
    }

    [Fact]
    public void After_many_small_batches_the_rest_is_copied_in_one_read()
    {
        using var log = Open();
        var large = TestBatches.Sized(1, 100_000);
        var small = TestBatches.Sized(1, 10);
        Append(log, [large, .. Enumerable.Repeat(small, 20), large]);

        using var writer = new KafkaWriter();
        log.Read(writer, 0, 1 << 20, minOneBatch: true, log.LogEndOffset, Threshold);

        Assert.Equal(large.Length, Assert.Single(writer.FileRegions!).Length);
        Assert.Equal((20 * small.Length) + large.Length, writer.Length);
        Assert.Equal(Copied(log, 0, 1 << 20, minOneBatch: true), writer.ToArray());
    }

    [Fact]
    public void File_regions_keep_the_fetch_limits_whole_batches_and_the_first_batch_rule()
    {
        using var log = Open();
        var large = TestBatches.Sized(1, 100_000);
        Append(log, [.. Enumerable.Repeat(large, 3)]);

        // Room for two and a half: two whole batches, never a part of the third.
        using var twoAndAHalf = new KafkaWriter();
        Assert.Equal(2 * large.Length, log.Read(twoAndAHalf, 0, (5 * large.Length) / 2, minOneBatch: true, log.LogEndOffset, Threshold));
        Assert.Equal(2 * large.Length, Assert.Single(twoAndAHalf.FileRegions!).Length);

        // Smaller than one batch: the first batch whole when it is the response's first (KIP-74), nothing otherwise.
        using var first = new KafkaWriter();
        Assert.Equal(large.Length, log.Read(first, 1, 1000, minOneBatch: true, log.LogEndOffset, Threshold));
        Assert.Equal((long)large.Length, Assert.Single(first.FileRegions!).Position);
        using var notFirst = new KafkaWriter();
        Assert.Equal(0, log.Read(notFirst, 1, 1000, minOneBatch: false, log.LogEndOffset, Threshold));
        Assert.Null(notFirst.FileRegions);

        // Never past the high watermark.
        using var belowWatermark = new KafkaWriter();
        Assert.Equal(large.Length, log.Read(belowWatermark, 0, 1 << 20, minOneBatch: true, highWatermark: 1, Threshold));
    }

    [Fact]
    public void A_region_keeps_the_segment_file_open_after_the_log_is_closed_until_the_response_is_done()
    {
        var log = Open();
        var large = TestBatches.Sized(1, 100_000);
        Append(log, large);
        var expected = Copied(log, 0, 1 << 20, minOneBatch: true);
        var writer = new KafkaWriter();
        log.Read(writer, 0, 1 << 20, minOneBatch: true, log.LogEndOffset, Threshold);
        var file = ((LogSegment)Assert.Single(writer.FileRegions!).File).SendStream.SafeFileHandle;

        log.Dispose(); // as retention or a topic deletion would, while the response waits to be sent

        Assert.False(file.IsClosed);
        Assert.Equal(expected, writer.ToArray());
        writer.Dispose();
        Assert.True(file.IsClosed);
    }

    [Fact]
    public void A_reader_behind_the_page_cache_window_is_served_by_copying()
    {
        using var log = Open();
        var large = TestBatches.Sized(1, 100_000);
        Append(log, [.. Enumerable.Repeat(large, 20)]);

        log.TrimPageCache(4 * large.Length);

        using var behind = new KafkaWriter();
        Assert.Equal(large.Length, log.Read(behind, 0, large.Length, minOneBatch: true, log.LogEndOffset, Threshold));
        Assert.Null(behind.FileRegions);
        using var tail = new KafkaWriter();
        Assert.Equal(large.Length, log.Read(tail, 19, large.Length, minOneBatch: true, log.LogEndOffset, Threshold));
        Assert.Single(tail.FileRegions!);
    }

    private PartitionLog Open() =>
        PartitionLog.Open("t", 0, Path.Combine(_directory.Path, "p"), new LogConfig(), _time, NullLogger.Instance);

    private static void Append(PartitionLog log, params byte[][] batches)
    {
        foreach (var batch in batches)
        {
            Assert.Equal(ErrorCode.None, log.Append(batch, out _, out _));
        }
    }

    private static byte[] Copied(PartitionLog log, long offset, int maxBytes, bool minOneBatch)
    {
        using var writer = new KafkaWriter();
        log.Read(writer, offset, maxBytes, minOneBatch, log.LogEndOffset, sendFileMinBatchBytes: 0);
        Assert.Null(writer.FileRegions);
        return writer.ToArray();
    }
}
