using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weir.Pipelines.Rtls.Proto;

namespace Weir.Pipelines.Rtls;

/// <summary>
/// Anchor packets on the wire: decoding with validation (a bad packet is an exception with a reason, which the
/// job sends to the dead-letter topic), the flat-map to one reading per tag, and encoding for the simulator.
/// </summary>
internal static class RtlsPackets
{
    /// <summary>The key the original Rust bridge put on every message.</summary>
    public const string OriginalKey = "protobuf";

    /// <summary>Firmware only reports ranges in (0.00001, 100] metres; anything else is not a measurement.</summary>
    public const double MaxDistance = 1_000;

    public static AnchorData ParseData(ReadOnlySpan<byte> bytes)
    {
        var packet = AnchorData.Parser.ParseFrom(bytes);
        if (packet.AnchorId.Length == 0)
        {
            throw new InvalidPacketException("AnchorData without anchor_id");
        }

        if (packet.Tags.Count == 0)
        {
            throw new InvalidPacketException($"AnchorData from '{packet.AnchorId}' carries no tags");
        }

        foreach (var (tagId, tag) in packet.Tags)
        {
            if (tagId.Length == 0)
            {
                throw new InvalidPacketException($"AnchorData from '{packet.AnchorId}' has a tag without an id");
            }

            if (tag is null || !float.IsFinite(tag.Distance) || tag.Distance < 0 || tag.Distance > MaxDistance)
            {
                throw new InvalidPacketException(string.Create(CultureInfo.InvariantCulture,
                    $"AnchorData from '{packet.AnchorId}': tag '{tagId}' has distance {tag?.Distance} (expected 0..{MaxDistance} m)"));
            }
        }

        return packet;
    }

    public static AnchorAlive ParseAlive(ReadOnlySpan<byte> bytes)
    {
        var packet = AnchorAlive.Parser.ParseFrom(bytes);
        return packet.AnchorId.Length == 0 ? throw new InvalidPacketException("AnchorAlive without anchor_id") : packet;
    }

    /// <summary>Event time: the packet's own timestamp, or <paramref name="fallbackMs"/> (the Kafka timestamp) when it has none.</summary>
    public static long EventTimeMs(Timestamp? timestamp, long fallbackMs) =>
        timestamp is null || (timestamp.Seconds == 0 && timestamp.Nanos == 0)
            ? fallbackMs
            : (timestamp.Seconds * 1000) + (timestamp.Nanos / 1_000_000);

    /// <summary>The original's getviaTag + getTagInfo: one reading per tag in the packet (float distance widened).</summary>
    public static void AddReadings(AnchorData packet, long fallbackMs, List<TagReading> into)
    {
        var timestamp = EventTimeMs(packet.Timestamp, fallbackMs);
        foreach (var (tagId, tag) in packet.Tags)
        {
            into.Add(new TagReading(tagId, packet.AnchorId, tag.Distance, tag.Detached, tag.BatteryLow, timestamp));
        }
    }

    public static Timestamp ToTimestamp(long epochMs) => new() { Seconds = Math.DivRem(epochMs, 1000, out var ms), Nanos = (int)ms * 1_000_000 };

    public static byte[] EncodeData(string anchorId, long epochMs, IEnumerable<(string TagId, float Distance, bool Detached, bool BatteryLow)> tags)
    {
        var packet = new AnchorData { AnchorId = anchorId, Timestamp = ToTimestamp(epochMs) };
        foreach (var (tagId, distance, detached, batteryLow) in tags)
        {
            packet.Tags[tagId] = new TagData { Distance = distance, Detached = detached, BatteryLow = batteryLow };
        }

        return packet.ToByteArray();
    }

    /// <summary>One reading as a single-tag AnchorData (how a rejected reading is kept on the dead-letter topic).</summary>
    public static byte[] EncodeReading(in TagReading reading) =>
        EncodeData(reading.AnchorId, reading.TimestampMs, [(reading.TagId, (float)reading.Distance, reading.Detached, reading.BatteryLow)]);

    public static byte[] EncodeAlive(string anchorId, long epochMs) =>
        new AnchorAlive { AnchorId = anchorId, Timestamp = ToTimestamp(epochMs) }.ToByteArray();
}

/// <summary>A packet that decodes but does not make sense (no anchor id, no tags, impossible distance).</summary>
internal sealed class InvalidPacketException(string message) : Exception(message);
