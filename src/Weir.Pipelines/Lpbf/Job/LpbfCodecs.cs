using System.Buffers;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using MessagePack;
using Weir.Connectors.Kafka;
using Weir.Pipelines.Lpbf.Formats;
using Weir.Pipelines.Lpbf.Kernels;

namespace Weir.Pipelines.Lpbf.Job;

/// <summary>How LPBF records look on the topics (docs/pipelines/lpbf.md "Topics").</summary>
internal static class LpbfCodecs
{
    /// <summary>raw-batch → <see cref="LpbfInput"/>. Bytes that are not a batch map go to the dead letters.</summary>
    public static LpbfInput ReadRawBatch(in KafkaRecord record)
    {
        var value = record.Value ?? throw new InvalidDataException("raw-batch record has no value");
        var benchId = record.Headers is not null && record.Headers.TryGetLastBytes(LpbfTopics.BenchIdHeader, out var id) ? Encoding.UTF8.GetString(id) : "";
        return new LpbfInput(benchId, BatchCodec.Decode(value))
        {
            Origin = new Streams.RecordOrigin(record.Topic, record.Partition, record.Offset, record.Timestamp, record.Key, value),
        };
    }

    public static KafkaMessage RawBatchMessage(string benchId, string printId, int tileId, byte[] batch) =>
        new(Encoding.UTF8.GetBytes(LpbfKeys.Of(printId, tileId)), batch, new Headers { { LpbfTopics.BenchIdHeader, Encoding.UTF8.GetBytes(benchId) } });

    /// <summary>results: msgpack {"q": 0, "bench_id", "batch_id", "result": {the map posted to the challenger}}.</summary>
    public static KafkaMessage ResultMessage(LpbfResult result)
    {
        var output = new ArrayBufferWriter<byte>(128 + 40 * result.Result.Centroids.Count);
        var writer = new MessagePackWriter(output);
        writer.WriteMapHeader(4);
        writer.Write("q");
        writer.Write(0);
        writer.Write("bench_id");
        writer.Write(result.BenchId);
        writer.Write("batch_id");
        writer.Write(result.Result.BatchId);
        writer.Write("result");
        ResultCodec.Write(ref writer, result.Result);
        writer.Flush();
        return new KafkaMessage(Encoding.UTF8.GetBytes(LpbfKeys.Of(result.Result.PrintId, result.Result.TileId)), output.WrittenSpan.ToArray());
    }

    /// <summary>Reads a results envelope; <c>Result</c> is the raw bytes of the result map, ready to post.</summary>
    public static (int Query, string BenchId, long BatchId, ReadOnlyMemory<byte> Result) ReadResultEnvelope(ReadOnlyMemory<byte> value)
    {
        var reader = new MessagePackReader(value);
        var fields = reader.ReadMapHeader();
        int query = 0;
        string benchId = "";
        long batchId = -1;
        ReadOnlyMemory<byte> result = default;
        for (var i = 0; i < fields; i++)
        {
            switch (reader.ReadString())
            {
                case "q": query = reader.ReadInt32(); break;
                case "bench_id": benchId = reader.ReadString() ?? ""; break;
                case "batch_id": batchId = reader.ReadInt64(); break;
                case "result":
                    var start = (int)reader.Consumed;
                    reader.Skip();
                    result = value[start..(int)reader.Consumed];
                    break;
                default: reader.Skip(); break;
            }
        }

        if (batchId < 0 || result.IsEmpty)
        {
            throw new InvalidDataException("results envelope without batch_id or result");
        }

        return (query, benchId, batchId, result);
    }

    /// <summary>saturated-pixels: the original's JSON string.</summary>
    public static string SaturatedPixelsJson(QueryResult result)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("seq_id", result.BatchId);
            json.WriteString("print_id", result.PrintId);
            json.WriteNumber("tile_id", result.TileId);
            json.WriteNumber("saturated", result.Saturated);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>saturated-rank: Q2's top five, padded with point [-1, -1] and deviation -1 as the original.</summary>
    public static string SaturatedRankJson(LpbfRanking ranking)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("seq_id", ranking.BatchId);
            json.WriteString("print_id", ranking.PrintId);
            json.WriteNumber("tile_id", ranking.TileId);
            json.WriteStartArray("top5");
            for (var i = 0; i < TileProcessor.RankSize; i++)
            {
                var entry = i < ranking.Top5.Count ? ranking.Top5[i] : new RankedOutlier(-1, -1, -1.0);
                json.WriteStartObject();
                json.WriteStartArray("point");
                json.WriteNumberValue(entry.X);
                json.WriteNumberValue(entry.Y);
                json.WriteEndArray();
                json.WriteNumber("deviation", entry.Deviation);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
