using Weir.Streams.Sources;

namespace Weir.Connectors.Kafka;

/// <summary>
/// Reads Kafka topics into a job. By default the job assigns partitions to its subtasks (as Flink's Kafka source
/// does); with <see cref="KafkaSourceMode.Group"/> the subtasks subscribe in a consumer group and the group spreads
/// the partitions over every subtask of every process running the job. Each partition is a split with its own
/// watermark generator, offsets go into checkpoints and, with a <see cref="KafkaSourceOptions.GroupId"/>, are
/// committed to the group when a checkpoint completes. Records whose bytes the deserializer rejects go to the dead letters with their
/// original bytes and position; the job goes on.
/// </summary>
/// <example>
/// <code>
/// var source = new KafkaSource&lt;SensorEvent&gt;(
///     new KafkaSourceOptions { BootstrapServers = "127.0.0.1:9092", Topics = ["sensor-data"], StartFrom = KafkaStartOffsets.Latest },
///     KafkaDeserializers.Json&lt;SensorEvent&gt;());
/// env.FromSource(source, WatermarkStrategy.ForBoundedOutOfOrderness&lt;SensorEvent&gt;(TimeSpan.FromSeconds(10)), "sensor-data");
/// </code>
/// </example>
public sealed class KafkaSource<T>(KafkaSourceOptions options, KafkaDeserializer<T> deserializer) : ISource<T>
{
    public KafkaSourceOptions Options { get; } = Validate(options ?? throw new ArgumentNullException(nameof(options)));

    public bool IsBounded => Options.StopAtEndOffsets;

    public ISourceReader<T> CreateReader(SourceReaderContext context) =>
        new KafkaSourceReader<T>(Options, deserializer ?? throw new InvalidOperationException("no deserializer"), context);

    private static KafkaSourceOptions Validate(KafkaSourceOptions options)
    {
        if (options.Mode == KafkaSourceMode.Group)
        {
            string? problem = null;
            if (string.IsNullOrEmpty(options.GroupId))
            {
                problem = "needs a GroupId";
            }
            else if (options.Topics.Count == 0)
            {
                problem = "needs Topics";
            }
            else if (options.Partitions is not null)
            {
                problem = "cannot read explicit Partitions (the group assigns them; use KafkaSourceMode.Assign)";
            }
            else if (options.StopAtEndOffsets)
            {
                problem = "cannot stop at end offsets (partitions move between readers)";
            }

            if (problem is not null)
            {
                throw new ArgumentException($"kafka source in group mode {problem}", nameof(options));
            }
        }

        return options;
    }
}
