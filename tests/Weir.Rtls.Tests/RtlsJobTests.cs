using Microsoft.Extensions.Time.Testing;
using Weir.Pipelines.Rtls;
using Weir.Pipelines.Rtls.Proto;
using Weir.Pipelines.Rtls.Simulation;
using Weir.Streams;
using Weir.Streams.Testing;

namespace Weir.Rtls.Tests;

/// <summary>The RTLS job on Weir's engine, stepped deterministically.</summary>
public sealed class RtlsJobTests
{
    private const long T0 = 1_700_000_000_000;

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(T0));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Simulated_packets_become_positions_at_the_true_place(int parallelism)
    {
        var job = Start(parallelism: parallelism);
        var simulator = new RtlsSimulator(FloorPlan.Default, new RtlsSimulatorOptions { Tags = 8, NoiseStdDev = 0 }, T0);
        var packets = new List<SimPacket>();
        var truth = new List<TruthSample>();
        for (var step = 0; step < 30; step++)
        {
            simulator.Step(packets, truth);
        }

        job.Feed(packets);
        job.Input.EndInput();
        job.Run.Run();

        Assert.True(job.Positions.Count == 8 * 30, string.Join("\n", job.Rejected.Values.Take(5)));
        foreach (var (position, timestamp) in job.Positions.Records)
        {
            var at = truth.Single(t => t.TagId == position.TagId && t.TimestampMs == position.TimestampMs).Position;
            Assert.Equal(position.TimestampMs, timestamp);
            TrilaterationTests.AssertClose(at, new Point2(position.X, position.Y), 1e-5); // float32 distances
        }

        Assert.Empty(job.Rejected.Values);
    }

    [Fact]
    public void Late_packets_unknown_anchors_and_incomplete_windows_are_rejected_with_reasons()
    {
        var job = Start();
        job.Data(Packet("A0", "T1", 1.0, T0 + 20_000));
        job.Data(Packet("A1", "T1", 1.0, T0 + 20_100));
        job.Data(Packet("A7", "T2", 1.0, T0 + 20_200));
        job.Run.Run();
        job.Data(Packet("A2", "T3", 1.0, T0 + 5_000)); // 15 s behind the newest packet: behind the watermark
        job.Run.Run();

        var reasons = job.Rejected.Values.ToDictionary(r => r.Reading.TagId, r => r.Reason);
        Assert.StartsWith("late reading: event time", reasons["T3"], StringComparison.Ordinal);
        Assert.StartsWith("unknown anchor 'A7'", reasons["T2"], StringComparison.Ordinal);
        Assert.False(reasons.ContainsKey("T1")); // still waiting for a third anchor

        // Event time moves on (another tag's packets): T1's two readings can no longer be completed.
        job.Data(Packet("A0", "T9", 1.0, T0 + 40_000));
        job.Run.Run();

        Assert.Equal(2, job.Rejected.Values.Count(r => r.Reading.TagId == "T1" && r.Reason.StartsWith("incomplete window", StringComparison.Ordinal)));
        Assert.Empty(job.Positions.Values);
    }

    [Fact]
    public void Duplicated_and_reordered_packets_within_the_spread_still_make_one_position_per_window()
    {
        var job = Start();
        var at = new Point2(0.5, 2.5);
        job.Data(Packet("A2", "T1", AnchorMap.Default, at, T0 + 900));
        job.Data(Packet("A0", "T1", AnchorMap.Default, at, T0 + 100));
        job.Data(Packet("A0", "T1", AnchorMap.Default, at, T0 + 100));
        job.Data(Packet("A1", "T1", AnchorMap.Default, at, T0 + 500));
        job.Input.EndInput();
        job.Run.Run();

        var position = Assert.Single(job.Positions.Values);
        TrilaterationTests.AssertClose(at, new Point2(position.X, position.Y), 1e-5);
        Assert.Equal(T0 + 900, position.TimestampMs);
    }

    [Fact]
    public void Anchors_changed_while_the_job_runs_are_used_from_the_next_window_on()
    {
        var job = Start();
        var at = new Point2(3, 3);
        job.Data(Packet("A0", "T1", AnchorMap.Default, at, T0));
        job.Data(Packet("A1", "T1", AnchorMap.Default, at, T0));
        job.Data(Packet("A2", "T1", AnchorMap.Default, at, T0));
        job.Run.Run();

        job.Anchors.Apply("A0", new Point2(4, 0)); // A0 moved: the same ranges now mean another place
        var moved = job.Anchors.Current;
        job.Data(Packet("A0", "T1", moved, at, T0 + 1_000));
        job.Data(Packet("A1", "T1", moved, at, T0 + 1_000));
        job.Data(Packet("A2", "T1", moved, at, T0 + 1_000));
        job.Input.EndInput();
        job.Run.Run();

        Assert.Equal(2, job.Positions.Count);
        Assert.All(job.Positions.Values, p => TrilaterationTests.AssertClose(at, new Point2(p.X, p.Y), 1e-5));
    }

    [Fact]
    public void Compatibility_mode_emits_the_original_error_row_for_a_repeated_anchor()
    {
        var job = Start(new RtlsJobOptions { Window = new TagWindowOptions(Compatibility: true) });
        var at = new Point2(1.5, 0.5);
        foreach (var anchor in new[] { "A0", "A0", "A0", "A0", "A1", "A2" })
        {
            job.Data(Packet(anchor, "T1", AnchorMap.Default, at, T0));
        }

        job.Input.EndInput();
        job.Run.Run();

        Assert.Equal(2, job.Positions.Count);
        Assert.True(job.Positions.Values[0].IsErrorRow);
        TrilaterationTests.AssertClose(at, new Point2(job.Positions.Values[1].X, job.Positions.Values[1].Y), 1e-5);
    }

    [Fact]
    public void A_dead_anchor_is_reported_once_event_time_passes_its_last_heartbeat_plus_the_timeout_and_again_when_back()
    {
        var job = Start(new RtlsJobOptions { AliveTimeout = TimeSpan.FromSeconds(30), OutOfOrderness = TimeSpan.FromSeconds(10) });
        for (var second = 0; second <= 120; second += 2)
        {
            foreach (var anchor in new[] { "A0", "A1", "A2" })
            {
                if (anchor == "A2" && second is > 20 and < 90)
                {
                    continue; // A2 is silent from 22 s to 88 s
                }

                job.Heartbeat(anchor, T0 + (second * 1_000));
            }

            job.Run.Run();
            if (second == 60)
            {
                Assert.Empty(job.Changes.Values); // watermark 60 s − 10 s < last seen 20 s + 30 s
            }
        }

        var changes = job.Changes.Values;
        Assert.Equal(2, changes.Count);
        Assert.Equal(new AliveChange("A2", false, T0 + 20_000, T0 + 50_000), changes[0]);
        Assert.Equal(new AliveChange("A2", true, T0 + 90_000, T0 + 90_000), changes[1]);
        Assert.Equal("""{"anchorid":"A2","alive":false,"last_seen":1700000020}""", System.Text.Encoding.UTF8.GetString(RtlsJson.Alive(changes[0])));
    }

    private Job Start(RtlsJobOptions? options = null, int parallelism = 1)
    {
        options ??= new RtlsJobOptions();
        var env = StreamEnvironment.Create(new JobOptions { Name = RtlsJob.JobName, TimeProvider = _clock, Parallelism = parallelism });
        var data = new TestSource<AnchorPacket>();
        var alive = new TestSource<AnchorAlive>();
        var anchors = new AnchorRegistry(AnchorMap.Default);
        var positionsSink = new CollectSink<TagPosition>();
        var rejectedSink = new CollectSink<RtlsRejection>();
        var aliveSink = new CollectSink<AliveChange>();
        var (positions, rejected) = RtlsJob.BuildPositions(env.FromSource(data, RtlsJob.DataWatermarks(options), "packet_data"), options, anchors, sourceParallelism: 1);
        positions.SinkTo(positionsSink);
        rejected.SinkTo(rejectedSink);
        RtlsJob.BuildLiveness(env.FromSource(alive, RtlsJob.AliveWatermarks(options), "packet_alive"), options).SinkTo(aliveSink);
        return new Job(JobTestRun.Start(env), data, alive, anchors, positionsSink, rejectedSink, aliveSink);
    }

    private static AnchorData Packet(string anchor, string tag, double distance, long timestamp) =>
        RtlsPackets.ParseData(RtlsPackets.EncodeData(anchor, timestamp, [(tag, (float)distance, false, false)]));

    private static AnchorData Packet(string anchor, string tag, AnchorMap anchors, Point2 at, long timestamp) =>
        Packet(anchor, tag, anchors.TryGet(anchor, out var a) ? a.DistanceTo(at) : 1, timestamp);

    private sealed record Job(
        JobTestRun Run,
        TestSource<AnchorPacket> Input,
        TestSource<AnchorAlive> AliveInput,
        AnchorRegistry Anchors,
        CollectSink<TagPosition> Positions,
        CollectSink<RtlsRejection> Rejected,
        CollectSink<AliveChange> Changes)
    {
        public void Data(AnchorData packet) => Input.Emit(new AnchorPacket(packet), RtlsPackets.EventTimeMs(packet.Timestamp, 0));

        public void Heartbeat(string anchor, long timestamp) =>
            AliveInput.Emit(RtlsPackets.ParseAlive(RtlsPackets.EncodeAlive(anchor, timestamp)), timestamp);

        public void Feed(IEnumerable<SimPacket> packets)
        {
            foreach (var packet in packets)
            {
                if (packet.Topic == SimTopic.Data)
                {
                    Input.Emit(new AnchorPacket(RtlsPackets.ParseData(packet.Value)), packet.DeliveryMs);
                }
                else
                {
                    AliveInput.Emit(RtlsPackets.ParseAlive(packet.Value), packet.DeliveryMs);
                }
            }
        }
    }
}
