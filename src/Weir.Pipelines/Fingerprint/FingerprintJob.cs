using Weir.Streams;
using Weir.Streams.Time;
using Weir.Streams.Windows;

namespace Weir.Pipelines.Fingerprint;

/// <summary>Where a reading's event time comes from.</summary>
internal enum EventTimeSource
{
    /// <summary>The message's "timestamp" field (the Kafka timestamp when it has none).</summary>
    Json,

    /// <summary>The Kafka record timestamp, as the original job used (it set no timestamp assigner).</summary>
    Kafka,
}

/// <summary>The job's semantics; every field is a setting of the "Fingerprint" section.</summary>
internal sealed record FingerprintJobOptions
{
    public TimeSpan WindowSize { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan OutOfOrderness { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A partition silent this long (processing time) stops holding the watermark back; null: never.</summary>
    public TimeSpan? Idleness { get; init; } = TimeSpan.FromSeconds(30);

    public string Type { get; init; } = "kiln";

    public EventTimeSource EventTime { get; init; } = EventTimeSource.Json;

    public static FingerprintJobOptions From(FingerprintSettings settings) => new()
    {
        WindowSize = TimeSpan.FromMinutes(settings.WindowSizeMinutes),
        OutOfOrderness = TimeSpan.FromSeconds(settings.WatermarkSeconds),
        Idleness = settings.IdlenessSeconds > 0 ? TimeSpan.FromSeconds(settings.IdlenessSeconds) : null,
        Type = settings.Type,
        EventTime = settings.EventTime.ToUpperInvariant() switch
        {
            "JSON" => EventTimeSource.Json,
            "KAFKA" => EventTimeSource.Kafka,
            _ => throw new ArgumentException($"EventTime must be json or kafka, not '{settings.EventTime}'"),
        },
    };

    public void Validate()
    {
        if (WindowSize < TimeSpan.FromMilliseconds(1) || OutOfOrderness < TimeSpan.Zero || Idleness <= TimeSpan.Zero)
        {
            throw new ArgumentException("the window size must be positive, the watermark delay not negative and the idleness positive");
        }
    }
}

/// <summary>
/// The fingerprint job's graph, as the original's: readings keyed by equipment, event-time tumbling windows,
/// the statistics of every sensor per window. What Weir adds: late readings to a side output instead of
/// nowhere, idleness so a quiet partition does not stall event time, windows flushed at end of input,
/// deterministic ids. Sources and sinks are the caller's (Kafka in <c>weir run fingerprint</c>, collections in
/// tests).
/// </summary>
internal static class FingerprintJob
{
    public const string JobName = "fingerprint";

    /// <summary>Readings that arrived after every window they belong to had fired.</summary>
    public static readonly OutputTag<SensorMessage> Late = new("fingerprint-late");

    /// <summary>Event time and watermarks for the readings source: per partition, bounded out-of-orderness.</summary>
    public static WatermarkStrategy<SensorMessage> Watermarks(FingerprintJobOptions options)
    {
        var strategy = WatermarkStrategy.ForBoundedOutOfOrderness<SensorMessage>(options.OutOfOrderness);
        strategy = options.EventTime == EventTimeSource.Json
            ? strategy.WithTimestampAssigner((message, sourceTimestamp) => message.TimestampMs ?? sourceTimestamp)
            : strategy.WithTimestampAssigner((_, sourceTimestamp) => sourceTimestamp);
        return options.Idleness is { } idle ? strategy.WithIdleness(idle) : strategy;
    }

    /// <summary>Fingerprints (timestamped with their window's last millisecond) and the late readings.</summary>
    public static (DataStream<FingerprintRecord> Fingerprints, DataStream<SensorMessage> Late) Build(DataStream<SensorMessage> readings, FingerprintJobOptions options)
    {
        options.Validate();
        var type = options.Type;
        var fingerprints = readings
            .Filter(m => m.Values.Length > 0) // all "null": no row reached the original's window either
            .WithName("readings-with-values")
            .KeyBy(m => m.EquipId)
            .Window(TumblingEventTimeWindows.Of(options.WindowSize))
            .SideOutputLateData(Late)
            .Aggregate(new FingerprintAggregate(), (equipId, window, values) => values.ToFingerprint(equipId, type, window.Start, window.End),
                FingerprintAccumulatorSerializer.Instance)
            .WithName("fingerprint-windows")
            .WithUid("fingerprint-windows");
        return (fingerprints, fingerprints.GetSideOutput(Late));
    }

    /// <summary>Adds a message's values to its window (the original's flat-map per sensor, without a record per value).</summary>
    private sealed class FingerprintAggregate : IAggregateFunction<SensorMessage, FingerprintAccumulator, FingerprintAccumulator>
    {
        public FingerprintAccumulator CreateAccumulator() => new();

        public void Add(ref FingerprintAccumulator accumulator, SensorMessage value) => accumulator.Add(value);

        public FingerprintAccumulator GetResult(FingerprintAccumulator accumulator) => accumulator;
    }
}
