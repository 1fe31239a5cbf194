using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Weir.Pipelines.Rtls;
using Weir.Pipelines.Rtls.Proto;

namespace Weir.Rtls.Tests;

/// <summary>
/// Byte compatibility with the original producers' format: messages encoded by Debian's python3-protobuf from the
/// same message.proto decode identically in Weir, Weir's encodings decode identically in Python, and single-tag
/// packets (what the firmware sends) are byte-for-byte the same.
/// </summary>
public sealed class ProtobufCompatibilityTests : IAsyncLifetime
{
    private const string EncodeScript = """
        import sys, json
        import message_pb2 as m
        for line in sys.stdin:
            c = json.loads(line)
            msg = m.AnchorData() if c["kind"] == "data" else m.AnchorAlive()
            msg.anchor_id = c["anchor_id"]
            if c["ts"] is not None:
                msg.timestamp.seconds = c["ts"][0]
                msg.timestamp.nanos = c["ts"][1]
            for tag_id, detached, battery_low, distance in c.get("tags", []):
                t = msg.tags[tag_id]
                t.detached = detached
                t.battery_low = battery_low
                t.distance = distance
            print(msg.SerializeToString().hex())
        """;

    private const string DecodeScript = """
        import sys, json
        import message_pb2 as m
        for line in sys.stdin:
            kind, hexbytes = line.split()
            msg = m.AnchorData() if kind == "data" else m.AnchorAlive()
            msg.ParseFromString(bytes.fromhex(hexbytes))
            out = {"anchor_id": msg.anchor_id, "has_ts": msg.HasField("timestamp"),
                   "ts": [msg.timestamp.seconds, msg.timestamp.nanos]}
            if kind == "data":
                out["tags"] = sorted([k, v.detached, v.battery_low, repr(v.distance)] for k, v in msg.tags.items())
            print(json.dumps(out))
        """;

    private PythonProtobuf _python = null!;

    public async Task InitializeAsync() => _python = await PythonProtobuf.CreateAsync();

    public Task DisposeAsync()
    {
        _python.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Python_encoded_packets_decode_identically_in_Weir_and_single_tag_bytes_match()
    {
        var cases = Cases();
        var hexes = (await _python.RunAsync(EncodeScript, string.Join('\n', cases.Select(ToJson)) + "\n"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cases.Count, hexes.Length);

        for (var i = 0; i < cases.Count; i++)
        {
            var expected = cases[i];
            var bytes = Convert.FromHexString(hexes[i]);
            var weirBytes = Encode(expected);
            if (expected.Tags.Count <= 1)
            {
                // The firmware sends one tag per packet: there the encodings must be the very same bytes.
                Assert.Equal(hexes[i], Convert.ToHexStringLower(weirBytes));
            }

            if (expected.Kind == "data")
            {
                var decoded = AnchorData.Parser.ParseFrom(bytes);
                Assert.Equal(expected.AnchorId, decoded.AnchorId);
                AssertTimestamp(expected, decoded.Timestamp);
                Assert.Equal(expected.Tags.Count, decoded.Tags.Count);
                foreach (var (tagId, detached, batteryLow, distance) in expected.Tags)
                {
                    var tag = decoded.Tags[tagId];
                    Assert.Equal(detached, tag.Detached);
                    Assert.Equal(batteryLow, tag.BatteryLow);
                    Assert.Equal(BitConverter.SingleToInt32Bits(distance), BitConverter.SingleToInt32Bits(tag.Distance));
                }
            }
            else
            {
                var decoded = AnchorAlive.Parser.ParseFrom(bytes);
                Assert.Equal(expected.AnchorId, decoded.AnchorId);
                AssertTimestamp(expected, decoded.Timestamp);
            }
        }
    }

    [Fact]
    public async Task Weir_encoded_packets_decode_identically_in_Python()
    {
        var cases = Cases();
        var input = new StringBuilder();
        foreach (var c in cases)
        {
            input.Append(c.Kind).Append(' ').AppendLine(Convert.ToHexStringLower(Encode(c)));
        }

        var lines = (await _python.RunAsync(DecodeScript, input.ToString())).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cases.Count, lines.Length);
        for (var i = 0; i < cases.Count; i++)
        {
            using var decoded = JsonDocument.Parse(lines[i]);
            var root = decoded.RootElement;
            var expected = cases[i];
            Assert.Equal(expected.AnchorId, root.GetProperty("anchor_id").GetString());
            Assert.Equal(expected.Timestamp is not null, root.GetProperty("has_ts").GetBoolean());
            Assert.Equal(expected.Timestamp?.Seconds ?? 0, root.GetProperty("ts")[0].GetInt64());
            Assert.Equal(expected.Timestamp?.Nanos ?? 0, root.GetProperty("ts")[1].GetInt32());
            if (expected.Kind != "data")
            {
                continue;
            }

            var tags = root.GetProperty("tags").EnumerateArray().ToList();
            var sorted = expected.Tags.OrderBy(t => t.TagId, StringComparer.Ordinal).ToList();
            Assert.Equal(sorted.Count, tags.Count);
            for (var t = 0; t < tags.Count; t++)
            {
                Assert.Equal(sorted[t].TagId, tags[t][0].GetString());
                Assert.Equal(sorted[t].Detached, tags[t][1].GetBoolean());
                Assert.Equal(sorted[t].BatteryLow, tags[t][2].GetBoolean());
                // Python widens the float32 to a double, exactly as the original job saw the distance.
                Assert.Equal((double)sorted[t].Distance, double.Parse(tags[t][3].GetString()!, CultureInfo.InvariantCulture));
            }
        }
    }

    [Fact]
    public async Task Weir_readings_of_a_python_packet_are_the_originals_rows()
    {
        var c = new Case("data", "0123456789ABCDEF", (1_706_123_456, 250_000_000), [("DECA000000000007", true, false, 2.3456f)]);
        var hex = (await _python.RunAsync(EncodeScript, ToJson(c) + "\n")).Trim();

        var readings = new List<TagReading>();
        RtlsPackets.AddReadings(RtlsPackets.ParseData(Convert.FromHexString(hex)), fallbackMs: 42, readings);

        var reading = Assert.Single(readings);
        Assert.Equal(new TagReading("DECA000000000007", "0123456789ABCDEF", (double)2.3456f, true, false, 1_706_123_456_250), reading);
    }

    [Fact]
    public void A_packet_without_a_timestamp_takes_the_kafka_timestamp()
    {
        var bytes = new AnchorData { AnchorId = "A0", Tags = { ["T1"] = new TagData { Distance = 1 } } }.ToByteArray();
        var readings = new List<TagReading>();

        RtlsPackets.AddReadings(RtlsPackets.ParseData(bytes), fallbackMs: 1_700_000_000_123, readings);

        Assert.Equal(1_700_000_000_123, Assert.Single(readings).TimestampMs);
    }

    [Theory]
    [InlineData("ff", "")]
    [InlineData("", "without anchor_id")]
    public void Bad_packets_are_rejected_with_a_reason(string hex, string reason)
    {
        var error = Assert.ThrowsAny<Exception>(() => RtlsPackets.ParseData(Convert.FromHexString(hex)));
        Assert.True(error is InvalidProtocolBufferException or InvalidPacketException, error.ToString());
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Packets_with_impossible_distances_or_no_tags_are_rejected()
    {
        var negative = new AnchorData { AnchorId = "A0", Tags = { ["T1"] = new TagData { Distance = -1 } } }.ToByteArray();
        var notANumber = new AnchorData { AnchorId = "A0", Tags = { ["T1"] = new TagData { Distance = float.NaN } } }.ToByteArray();
        var empty = new AnchorData { AnchorId = "A0" }.ToByteArray();

        Assert.Contains("distance -1", Assert.Throws<InvalidPacketException>(() => RtlsPackets.ParseData(negative)).Message, StringComparison.Ordinal);
        Assert.Contains("distance NaN", Assert.Throws<InvalidPacketException>(() => RtlsPackets.ParseData(notANumber)).Message, StringComparison.Ordinal);
        Assert.Contains("no tags", Assert.Throws<InvalidPacketException>(() => RtlsPackets.ParseData(empty)).Message, StringComparison.Ordinal);
    }

    private sealed record Case(string Kind, string AnchorId, (long Seconds, int Nanos)? Timestamp, List<(string TagId, bool Detached, bool BatteryLow, float Distance)> Tags);

    private static List<Case> Cases()
    {
        var cases = new List<Case>
        {
            new("data", "A0", (1_706_123_456, 0), [("DECA000000000001", false, false, 1.5f)]),
            new("data", "0123456789ABCDEF", (1_706_123_456, 250_000_000), [("DECA0000000000FF", true, false, 0.00001f)]),
            new("data", "A2", (1, 999_999_999), [("T", false, true, 100f)]),
            new("data", "A1", null, [("DECA000000000002", false, false, 0f)]),
            new("data", "Ankerpunkt-Ä", (0, 1), [("tag-ü", true, true, 3.14159f)]),
            new("data", "A3", (1_706_123_456, 0), [("T1", false, false, 1.25f), ("T2", true, false, 2.5f), ("T3", false, true, 7.75f)]),
            new("data", "A4", (1_706_123_456, 0), []),
            new("alive", "A0", (1_706_123_456, 0), []),
            new("alive", "0123456789ABCDEF", null, []),
            new("alive", "A9", (-62_135_596_800, 0), []),
        };
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var tags = new List<(string, bool, bool, float)>();
            for (var t = random.Next(1, 3); t > 0; t--)
            {
                tags.Add(($"{random.NextInt64():X16}", random.Next(2) == 1, random.Next(2) == 1, (float)(random.NextDouble() * 100)));
            }

            cases.Add(new Case("data", $"{random.NextInt64():X16}", (random.NextInt64(4_000_000_000), random.Next(1_000_000_000)), tags));
        }

        return cases;
    }

    private static byte[] Encode(Case c)
    {
        var timestamp = c.Timestamp is { } ts ? new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = ts.Seconds, Nanos = ts.Nanos } : null;
        if (c.Kind == "alive")
        {
            return new AnchorAlive { AnchorId = c.AnchorId, Timestamp = timestamp }.ToByteArray();
        }

        var packet = new AnchorData { AnchorId = c.AnchorId, Timestamp = timestamp };
        foreach (var (tagId, detached, batteryLow, distance) in c.Tags)
        {
            packet.Tags[tagId] = new TagData { Detached = detached, BatteryLow = batteryLow, Distance = distance };
        }

        return packet.ToByteArray();
    }

    private static string ToJson(Case c) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["kind"] = c.Kind,
        ["anchor_id"] = c.AnchorId,
        ["ts"] = c.Timestamp is { } ts ? new object[] { ts.Seconds, ts.Nanos } : null,
        ["tags"] = c.Tags.Select(t => new object[] { t.TagId, t.Detached, t.BatteryLow, (double)t.Distance }).ToArray(),
    });

    private static void AssertTimestamp(Case expected, Google.Protobuf.WellKnownTypes.Timestamp? actual)
    {
        Assert.Equal(expected.Timestamp is not null, actual is not null);
        Assert.Equal(expected.Timestamp?.Seconds ?? 0, actual?.Seconds ?? 0);
        Assert.Equal(expected.Timestamp?.Nanos ?? 0, actual?.Nanos ?? 0);
    }
}
