using System.Buffers;
using System.Text.Json;
using MessagePack;

namespace Weir.Pipelines.Lpbf.Formats;

/// <summary>
/// The result map in the demo client's shape: keys <c>batch_id</c>, <c>print_id</c>, <c>tile_id</c>,
/// <c>saturated</c>, <c>centroids</c> (maps of <c>x</c>, <c>y</c> as float64 and <c>count</c> as int). Reading is
/// lenient the way the Local Challenger is: it also takes the JSON some participants posted, integer or string
/// coordinates, and an extra <c>query</c> key.
/// </summary>
internal static class ResultCodec
{
    public static void Write(ref MessagePackWriter writer, QueryResult result)
    {
        writer.WriteMapHeader(5);
        writer.Write("batch_id");
        writer.Write(result.BatchId);
        writer.Write("print_id");
        writer.Write(result.PrintId);
        writer.Write("tile_id");
        writer.Write(result.TileId);
        writer.Write("saturated");
        writer.Write(result.Saturated);
        writer.Write("centroids");
        writer.WriteArrayHeader(result.Centroids.Count);
        foreach (var centroid in result.Centroids)
        {
            writer.WriteMapHeader(3);
            writer.Write("x");
            writer.Write(centroid.X);
            writer.Write("y");
            writer.Write(centroid.Y);
            writer.Write("count");
            writer.Write(centroid.Count);
        }
    }

    public static byte[] Encode(QueryResult result)
    {
        var output = new ArrayBufferWriter<byte>(64 + 40 * result.Centroids.Count);
        var writer = new MessagePackWriter(output);
        Write(ref writer, result);
        writer.Flush();
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Reads a posted result, msgpack or JSON.</summary>
    /// <exception cref="InvalidDataException">Neither a msgpack nor a JSON result map.</exception>
    public static QueryResult Decode(ReadOnlyMemory<byte> body)
    {
        if (body.Length > 0 && body.Span[0] == (byte)'{')
        {
            return DecodeJson(body);
        }

        try
        {
            var reader = new MessagePackReader(body);
            return Read(ref reader);
        }
        catch (Exception error) when (error is MessagePackSerializationException or EndOfStreamException or InvalidOperationException)
        {
            throw new InvalidDataException($"not a result map: {error.Message}", error);
        }
    }

    public static QueryResult Read(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            throw new InvalidDataException($"a result is a msgpack map, this one starts with {reader.NextMessagePackType}");
        }

        var count = reader.ReadMapHeader();
        long batchId = -1;
        var printId = "";
        int tileId = -1, saturated = -1;
        var centroids = new List<Centroid>();
        for (var i = 0; i < count; i++)
        {
            switch (reader.ReadString())
            {
                case "batch_id": batchId = (long)ReadNumber(ref reader); break;
                case "print_id": printId = reader.ReadString() ?? ""; break;
                case "tile_id": tileId = (int)ReadNumber(ref reader); break;
                case "saturated": saturated = (int)ReadNumber(ref reader); break;
                case "centroids":
                    var n = reader.ReadArrayHeader();
                    for (var k = 0; k < n; k++)
                    {
                        centroids.Add(ReadCentroid(ref reader));
                    }

                    break;
                default: reader.Skip(); break;
            }
        }

        return new QueryResult(batchId, printId, tileId, saturated, centroids);
    }

    private static Centroid ReadCentroid(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType == MessagePackType.String)
        {
            // Some participants posted each centroid as a JSON string.
            var json = reader.ReadString() ?? "{}";
            using var document = JsonDocument.Parse(json);
            return JsonCentroid(document.RootElement);
        }

        double x = double.NaN, y = double.NaN;
        var count = 0;
        var fields = reader.ReadMapHeader();
        for (var f = 0; f < fields; f++)
        {
            switch (reader.ReadString())
            {
                case "x": x = ReadNumber(ref reader); break;
                case "y": y = ReadNumber(ref reader); break;
                case "count": count = (int)ReadNumber(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return new Centroid(x, y, count);
    }

    private static double ReadNumber(ref MessagePackReader reader) => reader.NextMessagePackType switch
    {
        MessagePackType.Float => reader.ReadDouble(),
        MessagePackType.Integer => reader.ReadInt64(),
        MessagePackType.String => double.Parse(reader.ReadString() ?? "NaN", System.Globalization.CultureInfo.InvariantCulture),
        var other => throw new InvalidDataException($"a number was expected, found {other}"),
    };

    private static QueryResult DecodeJson(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var centroids = new List<Centroid>();
            if (root.TryGetProperty("centroids", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        using var inner = JsonDocument.Parse(item.GetString() ?? "{}");
                        centroids.Add(JsonCentroid(inner.RootElement));
                    }
                    else
                    {
                        centroids.Add(JsonCentroid(item));
                    }
                }
            }

            return new QueryResult(
                root.TryGetProperty("batch_id", out var b) ? (long)JsonNumber(b) : -1,
                root.TryGetProperty("print_id", out var p) ? p.GetString() ?? "" : "",
                root.TryGetProperty("tile_id", out var t) ? (int)JsonNumber(t) : -1,
                root.TryGetProperty("saturated", out var s) ? (int)JsonNumber(s) : -1,
                centroids);
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"not a JSON result map: {error.Message}", error);
        }
    }

    private static Centroid JsonCentroid(JsonElement item) => new(
        item.TryGetProperty("x", out var x) ? JsonNumber(x) : double.NaN,
        item.TryGetProperty("y", out var y) ? JsonNumber(y) : double.NaN,
        item.TryGetProperty("count", out var c) ? (int)JsonNumber(c) : 0);

    private static double JsonNumber(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String => double.Parse(value.GetString() ?? "NaN", System.Globalization.CultureInfo.InvariantCulture),
        _ => double.NaN,
    };
}
