using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Weir.Pipelines.Shared;

namespace Weir.Pipelines.Rtls.Simulation;

/// <summary>Where the simulator's packets go.</summary>
/// <param name="KeyByAnchor">Key packets by anchor id instead of the original bridge's constant "protobuf".</param>
internal sealed record RtlsTopics(string Data, string Alive, string? Anchors, bool KeyByAnchor);

/// <summary>Runs the simulator on a schedule and publishes its packets (and, first, its anchors) to Kafka.</summary>
internal static class RtlsSimulatorRunner
{
    private static readonly byte[] OriginalKey = Encoding.UTF8.GetBytes(RtlsPackets.OriginalKey);

    public static async Task<long> RunAsync(
        RtlsSimulator simulator,
        FloorPlan plan,
        KafkaPublisher publisher,
        RtlsTopics topics,
        GeneratorSchedule schedule,
        TextWriter? truth,
        TimeProvider clock,
        ILogger log,
        CancellationToken cancellationToken)
    {
        if (topics.Anchors is { } anchorsTopic)
        {
            foreach (var (id, position) in plan.Anchors.Entries)
            {
                publisher.Produce(anchorsTopic, Encoding.UTF8.GetBytes(id), AnchorMap.FormatPosition(position), simulator.StartMs);
            }
        }

        var packets = new List<SimPacket>(4096);
        var samples = truth is null ? null : new List<TruthSample>();
        var lastReport = clock.GetTimestamp();
        long published = 0;
        var steps = await schedule.RunAsync(clock, _ =>
        {
            packets.Clear();
            samples?.Clear();
            simulator.Step(packets, samples);
            published += Publish(packets, publisher, topics);
            if (truth is not null)
            {
                WriteTruth(truth, samples!);
            }

            if (clock.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(10))
            {
                lastReport = clock.GetTimestamp();
                log.LogDebug("{Packets} packets published, simulation at {Time:O}", published, DateTimeOffset.FromUnixTimeMilliseconds(simulator.NowMs));
            }

            return Task.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
        packets.Clear();
        simulator.Drain(packets);
        Publish(packets, publisher, topics);
        publisher.Flush(cancellationToken);
        truth?.Flush();
        return steps;
    }

    /// <summary>One JSON line per tag and step: {"tagid","t","x","y"} (t in epoch ms).</summary>
    public static void WriteTruth(TextWriter truth, List<TruthSample> samples)
    {
        foreach (var sample in samples)
        {
            truth.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"tagid\":\"{sample.TagId}\",\"t\":{sample.TimestampMs},\"x\":{sample.Position.X:R},\"y\":{sample.Position.Y:R}}}"));
        }
    }

    private static int Publish(List<SimPacket> packets, KafkaPublisher publisher, RtlsTopics topics)
    {
        foreach (var packet in packets)
        {
            var topic = packet.Topic == SimTopic.Data ? topics.Data : topics.Alive;
            var key = topics.KeyByAnchor ? Encoding.UTF8.GetBytes(packet.AnchorId) : OriginalKey;
            publisher.Produce(topic, key, packet.Value, packet.DeliveryMs);
        }

        return packets.Count;
    }
}
