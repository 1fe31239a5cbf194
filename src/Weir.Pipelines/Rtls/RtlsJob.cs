using System.Globalization;
using Weir.Pipelines.Rtls.Proto;
using Weir.Streams;
using Weir.Streams.State;
using Weir.Streams.Time;

namespace Weir.Pipelines.Rtls;

/// <summary>Where an anchor packet's event time comes from.</summary>
internal enum PacketTime
{
    /// <summary>The packet's protobuf timestamp (the Kafka timestamp when it has none).</summary>
    Packet,

    /// <summary>The Kafka record timestamp (what the original's watermark strategy used).</summary>
    Kafka,
}

/// <summary>The RTLS job's semantics; every field is a setting of the "Rtls" section.</summary>
internal sealed record RtlsJobOptions
{
    public TagWindowOptions Window { get; init; } = new();

    public TimeSpan OutOfOrderness { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan? Idleness { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan AliveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public PacketTime EventTime { get; init; } = PacketTime.Packet;

    public static RtlsJobOptions From(RtlsSettings settings) => new()
    {
        Window = new TagWindowOptions(settings.WindowSize, settings.Compatibility, (long)(settings.WindowSpreadSeconds * 1000)),
        OutOfOrderness = TimeSpan.FromSeconds(settings.OutOfOrdernessSeconds),
        Idleness = settings.IdlenessSeconds > 0 ? TimeSpan.FromSeconds(settings.IdlenessSeconds) : null,
        AliveTimeout = TimeSpan.FromSeconds(settings.AliveTimeoutSeconds),
        EventTime = settings.EventTime.ToUpperInvariant() switch
        {
            "PACKET" => PacketTime.Packet,
            "KAFKA" => PacketTime.Kafka,
            _ => throw new ArgumentException($"EventTime must be packet or kafka, not '{settings.EventTime}'"),
        },
    };
}

/// <summary>A reading (or a window's readings) that produced no position, with the reason.</summary>
internal sealed record RtlsRejection(TagReading Reading, string Reason);

/// <summary>
/// The RTLS job's graph: anchor packets flat-mapped to one reading per (tag, anchor), keyed by tag, count windows
/// of distinct anchors, trilateration; heartbeats keyed by anchor with event-time liveness timers. Readings that
/// make no position (late, unknown anchor, degenerate or incomplete window) come out as rejections with a reason.
/// Sources and sinks are the caller's.
/// </summary>
internal static class RtlsJob
{
    public const string JobName = "rtls";

    public static readonly OutputTag<RtlsRejection> Rejected = new("rtls-rejected");

    public static WatermarkStrategy<AnchorPacket> DataWatermarks(RtlsJobOptions options) =>
        Strategy<AnchorPacket>(options, (packet, kafka) => RtlsPackets.EventTimeMs(packet.Data.Timestamp, kafka));

    public static WatermarkStrategy<AnchorAlive> AliveWatermarks(RtlsJobOptions options) =>
        Strategy<AnchorAlive>(options, (packet, kafka) => RtlsPackets.EventTimeMs(packet.Timestamp, kafka));

    /// <summary>Positions (timestamped with their newest reading) and rejections.</summary>
    /// <param name="sourceParallelism">
    /// The packets source's parallelism when it is below the job's (a single-reader source): the flat-map then
    /// stays chained to it, so each tag's readings reach its window in partition order instead of round-robin.
    /// </param>
    public static (DataStream<TagPosition> Positions, DataStream<RtlsRejection> Rejected) BuildPositions(
        DataStream<AnchorPacket> packets, RtlsJobOptions options, AnchorRegistry anchors, int? sourceParallelism = null)
    {
        var readings = packets
            .FlatMap<TagReading>((packet, output) =>
            {
                // The original's getviaTag + getTagInfo; the event time is the packet's (set on the record).
                foreach (var (tagId, tag) in packet.Data.Tags)
                {
                    output.Collect(new TagReading(tagId, packet.Data.AnchorId, tag.Distance, tag.Detached, tag.BatteryLow, 0, packet.Partition, packet.Offset));
                }
            })
            .WithName("readings");
        if (sourceParallelism is { } parallelism)
        {
            readings = readings.WithParallelism(parallelism);
        }

        var positions = readings
            .KeyBy(r => r.TagId)
            .Process(new TagWindowFunction(options.Window, anchors))
            .WithName("tag-windows")
            .WithUid("rtls-tag-windows");
        return (positions, positions.GetSideOutput(Rejected));
    }

    /// <summary>Liveness changes: dead once event time passes the last heartbeat plus the timeout, alive again on the next.</summary>
    public static DataStream<AliveChange> BuildLiveness(DataStream<AnchorAlive> heartbeats, RtlsJobOptions options) =>
        heartbeats
            .KeyBy(h => h.AnchorId)
            .Process(new LivenessFunction((long)options.AliveTimeout.TotalMilliseconds))
            .WithName("anchor-liveness")
            .WithUid("rtls-anchor-liveness");

    private static WatermarkStrategy<T> Strategy<T>(RtlsJobOptions options, Func<T, long, long> packetTime)
    {
        var strategy = WatermarkStrategy.ForBoundedOutOfOrderness<T>(options.OutOfOrderness);
        strategy = options.EventTime == PacketTime.Packet
            ? strategy.WithTimestampAssigner((packet, kafka) => packetTime(packet, kafka))
            : strategy.WithTimestampAssigner((_, kafka) => kafka);
        return options.Idleness is { } idle ? strategy.WithIdleness(idle) : strategy;
    }

    /// <summary>One tag's window in keyed state; an event-time timer expires readings that cannot complete.</summary>
    private sealed class TagWindowFunction(TagWindowOptions options, AnchorRegistry anchors) : KeyedProcessFunction<string, TagReading, TagPosition>
    {
        private TagWindowing _windowing = null!;
        private WindowResults _results = null!;
        private IValueState<TagWindow> _window = null!;

        public override void Open(KeyedFunctionContext context)
        {
            // Per subtask: the windowing keeps scratch buffers.
            _windowing = new TagWindowing(options);
            _results = new WindowResults();
            _window = context.GetValueState("window", new TagWindowSerializer(options.Size));
        }

        public override void ProcessElement(TagReading value, KeyedContext<string> context, Collector<TagPosition> output)
        {
            var reading = value with { TimestampMs = context.Timestamp };
            if (context.Timestamp <= context.CurrentWatermark)
            {
                RtlsMetrics.Rejected.Add(1);
                context.Output(Rejected, new RtlsRejection(reading, string.Create(CultureInfo.InvariantCulture,
                    $"late reading: event time {Timestamps.Format(context.Timestamp)} is behind the watermark {Timestamps.Format(context.CurrentWatermark)}")));
                return;
            }

            var window = _window.HasValue ? _window.Value : _windowing.NewWindow();
            _windowing.Add(window, reading, anchors.Current, _results);
            Emit(context, output);
            Store(window, context.Timers);
        }

        public override void OnTimer(long timestamp, KeyedTimerContext<string> context, Collector<TagPosition> output)
        {
            if (!_window.HasValue)
            {
                return;
            }

            var window = _window.Value;
            _windowing.Expire(window, timestamp - options.MaxSpreadMs + 1, _results);
            Emit(context, output);
            Store(window, context.Timers);
        }

        private void Store(TagWindow window, ITimerService timers)
        {
            if (window.Count == 0)
            {
                _window.Clear();
                return;
            }

            _window.Value = window;
            timers.RegisterEventTimeTimer(window.OldestMs + options.MaxSpreadMs);
        }

        private void Emit(ProcessContext context, Collector<TagPosition> output)
        {
            if (_results.Positions.Count > 0)
            {
                RtlsMetrics.Positions.Add(_results.Positions.Count);
            }

            if (_results.Rejected.Count > 0)
            {
                RtlsMetrics.Rejected.Add(_results.Rejected.Count);
            }

            if (_results.Duplicates > 0)
            {
                RtlsMetrics.Duplicates.Add(_results.Duplicates);
            }

            foreach (var position in _results.Positions)
            {
                output.Collect(position, position.TimestampMs);
            }

            foreach (var (reading, reason) in _results.Rejected)
            {
                context.Output(Rejected, new RtlsRejection(reading, reason));
            }

            _results.Clear();
        }
    }

    private sealed class LivenessFunction(long timeoutMs) : KeyedProcessFunction<string, AnchorAlive, AliveChange>
    {
        private List<AliveChange> _changes = null!;
        private AnchorLiveness _liveness = null!;
        private IValueState<AnchorLivenessState> _state = null!;

        public override void Open(KeyedFunctionContext context)
        {
            // Per subtask (each works on a shallow copy of this function): no field is shared.
            _changes = [];
            _liveness = new AnchorLiveness(timeoutMs);
            _state = context.GetValueState("liveness", AnchorLivenessSerializer.Instance);
        }

        public override void ProcessElement(AnchorAlive value, KeyedContext<string> context, Collector<AliveChange> output)
        {
            var state = _state.HasValue ? _state.Value : new AnchorLivenessState();
            _changes.Clear();
            var timer = _liveness.OnHeartbeat(state, context.CurrentKey, context.Timestamp, _changes);
            foreach (var change in _changes)
            {
                RtlsMetrics.LivenessChanges.Add(1);
                output.Collect(change, change.TimestampMs);
            }

            if (timer is { } at)
            {
                context.Timers.RegisterEventTimeTimer(at);
            }

            _state.Value = state;
        }

        public override void OnTimer(long timestamp, KeyedTimerContext<string> context, Collector<AliveChange> output)
        {
            if (!_state.HasValue || context.CurrentWatermark == Timestamps.MaxWatermark)
            {
                return; // the input ended, not the anchor: a bounded run's final watermark says nothing about liveness
            }

            var state = _state.Value;
            if (_liveness.OnTimer(state, context.CurrentKey, timestamp) is { } dead)
            {
                RtlsMetrics.LivenessChanges.Add(1);
                output.Collect(dead, dead.TimestampMs);
                _state.Value = state;
            }
        }
    }
}
