using System.Buffers;
using System.Text.Json;

namespace Weir.Pipelines.Rtls;

/// <summary>
/// The JSON on <c>out_data</c> and <c>out_alive</c>: the original's field names, in its order. x and y are written
/// as shortest round-trip doubles (the original wrote float32).
/// </summary>
internal static class RtlsJson
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false, SkipValidation = true };

    public static byte[] Position(in TagPosition position)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        WritePosition(buffer, position);
        return buffer.WrittenSpan.ToArray();
    }

    public static void WritePosition(IBufferWriter<byte> output, in TagPosition position)
    {
        using var writer = new Utf8JsonWriter(output, Compact);
        writer.WriteStartObject();
        writer.WriteString("tagid"u8, position.IsErrorRow ? "err" : position.TagId);
        writer.WriteNumber("x"u8, position.X);
        writer.WriteNumber("y"u8, position.Y);
        writer.WriteBoolean("detached"u8, position.Detached);
        writer.WriteBoolean("battery_low"u8, position.BatteryLow);
        writer.WriteEndObject();
    }

    /// <summary><c>{"anchorid":"A2","alive":false,"last_seen":1706123456}</c>; last_seen in epoch seconds.</summary>
    public static byte[] Alive(in AliveChange change)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer, Compact))
        {
            writer.WriteStartObject();
            writer.WriteString("anchorid"u8, change.AnchorId);
            writer.WriteBoolean("alive"u8, change.Alive);
            writer.WriteNumber("last_seen"u8, Math.Floor(change.LastSeenMs / 1000.0));
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads an <c>out_data</c> row back (tests, the live feed, benchmarks).</summary>
    public static (string TagId, double X, double Y, bool Detached, bool BatteryLow) ParsePosition(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        return (root.GetProperty("tagid").GetString() ?? "", root.GetProperty("x").GetDouble(), root.GetProperty("y").GetDouble(),
            root.GetProperty("detached").GetBoolean(), root.GetProperty("battery_low").GetBoolean());
    }
}
