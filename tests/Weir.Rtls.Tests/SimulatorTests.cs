using Weir.Pipelines.Rtls;
using Weir.Pipelines.Rtls.Proto;
using Weir.Pipelines.Rtls.Simulation;
using Weir.Testing;

namespace Weir.Rtls.Tests;

public sealed class SimulatorTests
{
    private const long T0 = 1_700_000_000_000;

    [Fact]
    public void Every_anchor_in_range_reports_every_tag_each_step_and_heartbeats_every_two_seconds()
    {
        var simulator = new RtlsSimulator(FloorPlan.Default, new RtlsSimulatorOptions { Tags = 4, NoiseStdDev = 0 }, T0);
        var packets = new List<SimPacket>();
        var truth = new List<TruthSample>();
        for (var step = 0; step < 10; step++)
        {
            simulator.Step(packets, truth);
        }

        var data = packets.Where(p => p.Topic == SimTopic.Data).Select(p => AnchorData.Parser.ParseFrom(p.Value)).ToList();
        Assert.Equal(10 * 4 * 3, data.Count);
        Assert.All(data, d => Assert.Single(d.Tags));
        foreach (var packet in data)
        {
            // Noise-free: the distance is the true one, as float32.
            var (tagId, tag) = packet.Tags.Single();
            var when = RtlsPackets.EventTimeMs(packet.Timestamp, 0);
            var at = truth.Single(t => t.TagId == tagId && t.TimestampMs == when).Position;
            Assert.True(AnchorMap.Default.TryGet(packet.AnchorId, out var anchor));
            Assert.Equal((float)anchor.DistanceTo(at), tag.Distance);
        }

        var heartbeats = packets.Where(p => p.Topic == SimTopic.Alive).GroupBy(p => p.AnchorId).ToList();
        Assert.Equal(3, heartbeats.Count);
        Assert.All(heartbeats, g => Assert.Equal(5, g.Count()));
        Assert.All(heartbeats, g => Assert.All(g.Zip(g.Skip(1)), pair => Assert.Equal(2_000, pair.Second.EventMs - pair.First.EventMs)));
        Assert.All(truth, t => Assert.Contains(FloorPlan.Default.Rooms, r => r.Contains(t.Position)));
    }

    [Fact]
    public void A_killed_anchor_goes_silent_for_its_outage_and_comes_back()
    {
        var options = new RtlsSimulatorOptions { Tags = 2, Outages = [AnchorOutage.Parse("A2@10s-20s")] };
        var simulator = new RtlsSimulator(FloorPlan.Default, options, T0);
        var packets = new List<SimPacket>();
        for (var step = 0; step < 30; step++)
        {
            simulator.Step(packets);
        }

        var fromA2 = packets.Where(p => p.AnchorId == "A2").Select(p => p.EventMs - T0).ToList();
        Assert.DoesNotContain(fromA2, t => t is >= 10_000 and < 20_000);
        Assert.Contains(fromA2, t => t < 10_000);
        Assert.Contains(fromA2, t => t >= 20_000);
        Assert.Contains(packets, p => p.AnchorId == "A1" && p.EventMs - T0 is >= 10_000 and < 20_000);
    }

    [Fact]
    public void Drops_duplicates_and_reordering_stay_within_their_bounds()
    {
        var options = new RtlsSimulatorOptions { Tags = 20, DropProbability = 0.1, DuplicateProbability = 0.1, ReorderMs = 700, Seed = 5 };
        var simulator = new RtlsSimulator(FloorPlan.Default, options, T0);
        var packets = new List<SimPacket>();
        for (var step = 0; step < 100; step++)
        {
            simulator.Step(packets);
        }

        simulator.Drain(packets);
        const int Heartbeats = 3 * 50; // one per anchor every 2 s for 100 s
        Assert.Equal(simulator.Measured + Heartbeats - simulator.Dropped + simulator.Duplicated, packets.Count);
        Assert.All(packets, p => Assert.InRange(p.DeliveryMs - p.EventMs, 0, 700));
        Assert.All(packets.Zip(packets.Skip(1)), pair => Assert.True(pair.Second.DeliveryMs >= pair.First.DeliveryMs, "delivered in delivery order"));
        Assert.Contains(packets.Zip(packets.Skip(1)), pair => pair.Second.EventMs < pair.First.EventMs); // out of order by event time
        Assert.InRange(simulator.Dropped / (double)(simulator.Measured + Heartbeats), 0.07, 0.13);
        Assert.InRange(simulator.Duplicated / (double)(simulator.Measured + Heartbeats - simulator.Dropped), 0.07, 0.13);
    }

    [Fact]
    public async Task Weir_generate_rtls_publishes_packets_heartbeats_and_anchors_to_the_broker()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var folder = new TempDirectory("rtls-sim");

        var result = await WeirCli.RunAsync(
            ["generate", "rtls", "--bootstrap", broker.BootstrapServers, "--backlog", "2m", "--tags", "5", "--kill", "A2@60s", "--truth", folder.Combine("truth.ndjson")],
            TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 0, result.Describe());
        var anchors = await TopicRecords.ReadAtLeastAsync(broker.BootstrapServers, "anchors", 3, TimeSpan.FromSeconds(30));
        Assert.Equal(["A0:[2, 0]", "A1:[0, 2]", "A2:[2, 3]"], anchors.Select(a => $"{a.KeyText}:{a.ValueText}").Order());
        var alive = await TopicRecords.ReadAtLeastAsync(broker.BootstrapServers, "packet_alive", 60 + 60 + 30, TimeSpan.FromSeconds(30));
        var a2 = alive.Select(r => AnchorAlive.Parser.ParseFrom(r.Value)).Where(a => a.AnchorId == "A2").Select(a => a.Timestamp.ToDateTimeOffset()).ToList();
        Assert.InRange(a2.Count, 29, 30); // one per 2 s for the first 60 s, then nothing
        var data = await TopicRecords.ReadAtLeastAsync(broker.BootstrapServers, "packet_data", (5 * 3 * 60) + (5 * 2 * 60), TimeSpan.FromSeconds(30));
        Assert.Equal(5 * 3 * 60 + (5 * 2 * 60), data.Count);
        Assert.All(data, r => Assert.Equal(RtlsPackets.OriginalKey, r.KeyText));
        var truthLines = await File.ReadAllLinesAsync(folder.Combine("truth.ndjson"));
        Assert.Equal(5 * 120, truthLines.Length);
        Assert.StartsWith("{\"tagid\":\"DECA000000000000\",\"t\":", truthLines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--kill", "A9@10s", "outage of unknown anchor 'A9'")]
    [InlineData("--kill", "A2", "is not ANCHOR@TIME")]
    [InlineData("--key", "tag", "--key must be protobuf or anchor")]
    [InlineData("--drop", "2", "drop probability must be between 0 and 1")]
    public async Task Bad_options_are_one_line_errors(string option, string value, string message)
    {
        var result = await WeirCli.RunAsync(["generate", "rtls", option, value, "--bootstrap", "127.0.0.1:1"], TimeSpan.FromMinutes(1));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
    }
}
