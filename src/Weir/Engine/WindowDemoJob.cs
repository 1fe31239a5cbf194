using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Weir.Connectors.Kafka;
using Weir.Streams;
using Weir.Streams.Time;
using Weir.Streams.Windows;

namespace Weir.Cli.Engine;

/// <summary>A reading in the demo job's input topic (JSON): which sensor, what value, when (ms since the Unix epoch).</summary>
internal sealed record DemoEvent(string Sensor, double Value, long Time);

/// <summary>One sensor's window in the demo job's output topic (JSON, keyed by <see cref="Id"/>).</summary>
internal sealed record DemoWindow(string Id, string Sensor, long Start, long End, long Count, double Min, double Max, double Mean);

/// <summary>What the demo job reads and writes, and how.</summary>
internal sealed record WindowDemoSettings
{
    public required string Bootstrap { get; init; }

    public string Input { get; init; } = "demo-events";

    public string Output { get; init; } = "demo-windows";

    /// <summary>Null: no dead-letter topic (failures are logged and counted).</summary>
    public string? DeadLetterTopic { get; init; } = "window-demo-dlq";

    public string JobName { get; init; } = "window-demo";

    public int Parallelism { get; init; } = 1;

    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan OutOfOrderness { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan? Idleness { get; init; }

    public TimeSpan? CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);

    public string? CheckpointDirectory { get; init; }

    public bool StopAtEnd { get; init; }

    public KafkaStartOffsets StartFrom { get; init; } = KafkaStartOffsets.Earliest;

    public Acks Acks { get; init; } = Acks.All;
}

/// <summary>
/// The engine's demonstration job: JSON sensor readings from a topic, keyed by sensor, tumbling event-time
/// windows, count/min/max/mean per sensor and window, to a topic, keyed by a deterministic id (the same window
/// always gets the same id, so results written again after a restart are recognisable). Used by
/// `weir run window-demo`, the kill-and-restart test and `weir bench engine`.
/// </summary>
internal static class WindowDemoJob
{
    public static StreamEnvironment Build(WindowDemoSettings settings, ILoggerFactory loggers, IDeadLetterSink? deadLetters, Action<DataStream<DemoWindow>>? tap = null)
    {
        var env = StreamEnvironment.Create(new JobOptions
        {
            Name = settings.JobName,
            Parallelism = settings.Parallelism,
            CheckpointInterval = settings.CheckpointDirectory is null ? null : settings.CheckpointInterval,
            CheckpointDirectory = settings.CheckpointDirectory,
            DeadLetters = deadLetters,
            LoggerFactory = loggers,
        });
        var source = new KafkaSource<DemoEvent>(
            new KafkaSourceOptions
            {
                BootstrapServers = settings.Bootstrap,
                Topics = [settings.Input],
                StartFrom = settings.StartFrom,
                StopAtEndOffsets = settings.StopAtEnd,
            },
            KafkaDeserializers.Json<DemoEvent>());
        var watermarks = WatermarkStrategy.ForBoundedOutOfOrderness<DemoEvent>(settings.OutOfOrderness).WithTimestampAssigner(e => e.Time);
        if (settings.Idleness is { } idle)
        {
            watermarks = watermarks.WithIdleness(idle);
        }

        var job = settings.JobName;
        var windows = env.FromSource(source, watermarks, settings.Input)
            .KeyBy(e => e.Sensor)
            .Window(TumblingEventTimeWindows.Of(settings.Window))
            .Aggregate(new Stats(), (sensor, window, s) => new DemoWindow(
                DeterministicId.ForWindow(job, sensor, window).ToString(), sensor, window.Start, window.End, s.Count, s.Min, s.Max, s.Sum / s.Count))
            .WithName("windows")
            .WithUid("windows");
        tap?.Invoke(windows);
        windows.SinkTo(
                new KafkaSink<DemoWindow>(
                    new KafkaSinkOptions { BootstrapServers = settings.Bootstrap, Topic = settings.Output, Acks = settings.Acks },
                    KafkaSerializers.Json<DemoWindow>(key: w => w.Id)),
                settings.Output)
            .WithUid("sink");
        return env;
    }

    /// <summary>Count, min, max and sum of one sensor in one window: a struct updated in place.</summary>
    internal struct Accumulator
    {
        public long Count;
        public double Min;
        public double Max;
        public double Sum;
    }

    private sealed class Stats : IAggregateFunction<DemoEvent, Accumulator, Accumulator>
    {
        public Accumulator CreateAccumulator() => new() { Min = double.MaxValue, Max = double.MinValue };

        public void Add(ref Accumulator accumulator, DemoEvent value)
        {
            accumulator.Count++;
            accumulator.Sum += value.Value;
            accumulator.Min = Math.Min(accumulator.Min, value.Value);
            accumulator.Max = Math.Max(accumulator.Max, value.Value);
        }

        public Accumulator GetResult(Accumulator accumulator) => accumulator;
    }
}
