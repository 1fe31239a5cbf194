using System.Buffers;
using MessagePack;
using Weir.Pipelines.Lpbf.Formats;
using Weir.Services.Challenger;

namespace Weir.Lpbf.Tests;

public sealed class FormatTests
{
    [Fact]
    public void A_batch_is_a_map_of_five_keys_in_the_challengers_order_with_the_tiff_as_bin()
    {
        var tiff = new byte[] { 1, 2, 3, 4, 5 };
        var message = BatchCodec.Encode(17, "SI266220200309225433", 1, 1, tiff);
        var reader = new MessagePackReader(message);
        Assert.Equal(5, reader.ReadMapHeader());
        Assert.Equal("batch_id", reader.ReadString());
        Assert.Equal(17, reader.ReadInt32());
        Assert.Equal("print_id", reader.ReadString());
        Assert.Equal("SI266220200309225433", reader.ReadString());
        Assert.Equal("tile_id", reader.ReadString());
        Assert.Equal(1, reader.ReadInt32());
        Assert.Equal("layer", reader.ReadString());
        Assert.Equal(1, reader.ReadInt32());
        Assert.Equal("tif", reader.ReadString());
        Assert.Equal(MessagePackType.Binary, reader.NextMessagePackType);
        Assert.Equal(tiff, reader.ReadBytes()!.Value.ToArray());

        var batch = BatchCodec.Decode(message);
        Assert.Equal((17L, "SI266220200309225433", 1, 1), (batch.BatchId, batch.PrintId, batch.TileId, batch.Layer));
        Assert.Equal(tiff, batch.Tiff.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(389_120)]
    public void The_prefix_ends_in_the_bin_header_messagepack_writes_and_stays_small(int tiffLength)
    {
        var prefix = new ArrayBufferWriter<byte>(96);
        BatchCodec.WritePrefix(prefix, 3599, "SI266220200309225433", 15, 224, tiffLength);

        var expected = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(expected);
        writer.WriteMapHeader(5);
        writer.Write("batch_id");
        writer.Write(3599L);
        writer.Write("print_id");
        writer.Write("SI266220200309225433");
        writer.Write("tile_id");
        writer.Write(15);
        writer.Write("layer");
        writer.Write(224);
        writer.Write("tif");
        writer.WriteBinHeader(tiffLength);
        writer.Flush();
        Assert.Equal(expected.WrittenSpan.ToArray(), prefix.WrittenSpan.ToArray());

        // The emulator writes the prefix of every batch it serves into a buffer this size; before, MessagePack's
        // bin header grew it to the size of the tile.
        Assert.True(prefix.Capacity <= 96, $"the prefix buffer grew to {prefix.Capacity} bytes");

        var tiff = new byte[tiffLength];
        Random.Shared.NextBytes(tiff);
        var batch = BatchCodec.Decode((byte[])[.. prefix.WrittenSpan, .. tiff]);
        Assert.Equal((3599L, 15, 224), (batch.BatchId, batch.TileId, batch.Layer));
        Assert.Equal(tiff, batch.Tiff.ToArray());
    }

    [Fact]
    public void Batch_decoding_accepts_any_key_order_and_names_a_missing_key()
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(output);
        writer.WriteMapHeader(5);
        writer.Write("tif");
        writer.Write(new byte[] { 9 });
        writer.Write("extra");
        writer.Write(true);
        writer.Write("layer");
        writer.Write(3);
        writer.Write("tile_id");
        writer.Write(4);
        writer.Write("batch_id");
        writer.Write(52);
        writer.Flush();
        var error = Assert.Throws<InvalidDataException>(() => BatchCodec.Decode(output.WrittenMemory));
        Assert.Contains("print_id", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => BatchCodec.Decode(new byte[] { 0x93, 1, 2, 3 }));
    }

    [Fact]
    public void A_result_has_the_demo_clients_keys_with_float64_coordinates()
    {
        var result = new QueryResult(35, "SI266220200309225433", 3, 1253, [new Centroid(350, 97.5, 16)]);
        var bytes = ResultCodec.Encode(result);
        var reader = new MessagePackReader(bytes);
        Assert.Equal(5, reader.ReadMapHeader());
        string[] keys = ["batch_id", "print_id", "tile_id", "saturated", "centroids"];
        foreach (var key in keys)
        {
            Assert.Equal(key, reader.ReadString());
            if (key != "centroids")
            {
                reader.Skip();
            }
        }

        Assert.Equal(1, reader.ReadArrayHeader());
        Assert.Equal(3, reader.ReadMapHeader());
        Assert.Equal("x", reader.ReadString());
        Assert.Equal(MessagePackCode.Float64, bytes[reader.Consumed]);
        var decoded = ResultCodec.Decode(bytes);
        Assert.Equal(result.Centroids, decoded.Centroids);
        Assert.Equal((35L, 3, 1253), (decoded.BatchId, decoded.TileId, decoded.Saturated));
    }

    [Fact]
    public void Results_posted_as_JSON_or_with_string_centroids_are_read_too()
    {
        var json = """{"print_id":"p","tile_id":2,"saturated":5,"centroids":[{"x":1,"y":2.5,"count":7}]}"""u8.ToArray();
        var fromJson = ResultCodec.Decode(json);
        Assert.Equal([new Centroid(1, 2.5, 7)], fromJson.Centroids);

        var output = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(output);
        writer.WriteMapHeader(2);
        writer.Write("saturated");
        writer.Write(3);
        writer.Write("centroids");
        writer.WriteArrayHeader(1);
        writer.Write("""{"x": "1.500", "y": "2.000", "count": 9}""");
        writer.Flush();
        Assert.Equal([new Centroid(1.5, 2, 9)], ResultCodec.Decode(output.WrittenMemory).Centroids);
    }

    [Theory]
    [InlineData(222_589_859L, "222ms589µs859ns")]
    [InlineData(39_107_178_730L, "39s107ms178µs730ns")]
    [InlineData(69_320_873_598L, "1m9s320ms873µs598ns")]
    [InlineData(226_026_220L, "226ms26µs220ns")]
    [InlineData(3_600_000_000_001L, "1h1ns")]
    [InlineData(0L, "0ns")]
    public void Durations_print_like_the_Local_Challenger(long nanoseconds, string text)
    {
        Assert.Equal(text, DurationText.Format(nanoseconds));
        Assert.Equal(nanoseconds, DurationText.Parse(text));
    }

    [Fact]
    public void Metrics_count_served_batches_missing_results_and_nearest_rank_p99()
    {
        var served = new long[200];
        var results = new long[200];
        for (var i = 0; i < 200; i++)
        {
            served[i] = 1_000_000_000L + i * 1_000_000L;
            results[i] = i < 10 ? 0 : served[i] + (i + 1) * 1000L; // latencies 11 µs .. 200 µs
        }

        var metrics = BenchMetrics.Compute(served, results, 200, startNs: 1_000_000_000L, endNs: 3_000_000_000L);
        Assert.Equal(200, metrics.Count);
        Assert.Equal(10, metrics.Missing);
        Assert.Equal(100, metrics.Throughput);
        Assert.Equal(11_000, metrics.LatencyMinNs);
        Assert.Equal(200_000, metrics.LatencyMaxNs);
        Assert.Equal(199_000, metrics.LatencyP99Ns); // 190 latencies: rank ceil(188.1) = 189th = 199 µs
        Assert.Equal(105_500, metrics.LatencyMeanNs);
    }
}
