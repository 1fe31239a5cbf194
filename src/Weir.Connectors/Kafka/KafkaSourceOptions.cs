namespace Weir.Connectors.Kafka;

/// <summary>Where a Kafka source starts reading a partition it has no checkpointed position for.</summary>
public abstract record KafkaStartOffsets
{
    private KafkaStartOffsets()
    {
    }

    /// <summary>The oldest record still in the log.</summary>
    public static KafkaStartOffsets Earliest { get; } = new EarliestOffsets();

    /// <summary>Only records written after the job starts.</summary>
    public static KafkaStartOffsets Latest { get; } = new LatestOffsets();

    /// <summary>The consumer group's committed offsets (needs <see cref="KafkaSourceOptions.GroupId"/>); partitions without one start from <paramref name="otherwise"/>.</summary>
    public static KafkaStartOffsets Committed(KafkaStartOffsets? otherwise = null) => new CommittedOffsets(otherwise ?? Earliest);

    /// <summary>The first record with a timestamp at or after <paramref name="timestamp"/> (ms since the Unix epoch).</summary>
    public static KafkaStartOffsets FromTimestamp(long timestamp) => new TimestampOffsets(timestamp);

    internal sealed record EarliestOffsets : KafkaStartOffsets;

    internal sealed record LatestOffsets : KafkaStartOffsets;

    internal sealed record CommittedOffsets(KafkaStartOffsets Otherwise) : KafkaStartOffsets;

    internal sealed record TimestampOffsets(long Timestamp) : KafkaStartOffsets;
}

/// <summary>A topic partition, for explicit assignment.</summary>
public readonly record struct KafkaPartition(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}-{Partition}";
}

/// <summary>Who decides which source subtask reads which partition.</summary>
public enum KafkaSourceMode
{
    /// <summary>
    /// The job assigns partitions to its subtasks (every partition of <see cref="KafkaSourceOptions.Topics"/>, or
    /// <see cref="KafkaSourceOptions.Partitions"/>), as Flink's Kafka source does; positions come from the job's
    /// checkpoints. Several processes running the same job each read every partition.
    /// </summary>
    Assign,

    /// <summary>
    /// Each source subtask's consumer subscribes to <see cref="KafkaSourceOptions.Topics"/> in the consumer group
    /// <see cref="KafkaSourceOptions.GroupId"/>, as Kafka Streams and a plain consumer do: subtasks of one or several
    /// processes share the partitions and take over each other's on rebalance. A partition starts from the group's
    /// committed offset (else the checkpointed one, else <see cref="KafkaSourceOptions.StartFrom"/>); offsets are
    /// committed when a checkpoint completes. At least once across rebalances and restarts.
    /// </summary>
    Group,
}

/// <summary>How a <see cref="KafkaSource{T}"/> reads.</summary>
public sealed record KafkaSourceOptions
{
    /// <summary>Kafka bootstrap address(es), "host:port[,host:port]".</summary>
    public required string BootstrapServers { get; init; }

    /// <summary>Topics to read (every partition, spread over the source's subtasks). Ignored when <see cref="Partitions"/> is set.</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];

    /// <summary>Exactly these partitions (spread over the source's subtasks) instead of every partition of <see cref="Topics"/>.</summary>
    public IReadOnlyList<KafkaPartition>? Partitions { get; init; }

    /// <summary>
    /// A consumer group to commit offsets to when a checkpoint completes (so tools show the job's lag, and
    /// <see cref="KafkaStartOffsets.Committed"/> can start from them). In <see cref="KafkaSourceMode.Assign"/> the
    /// job still assigns the partitions; in <see cref="KafkaSourceMode.Group"/> (which needs it) the group does.
    /// </summary>
    public string? GroupId { get; init; }

    /// <summary>
    /// Whether the job assigns partitions (default) or subscribes in <see cref="GroupId"/> and lets the group spread
    /// them over every subtask of every process running the job (<see cref="KafkaSourceMode.Group"/>: needs
    /// <see cref="GroupId"/> and <see cref="Topics"/>; no <see cref="Partitions"/>, no <see cref="StopAtEndOffsets"/>).
    /// </summary>
    public KafkaSourceMode Mode { get; init; } = KafkaSourceMode.Assign;

    /// <summary>
    /// Where to start in partitions without a checkpointed position (in <see cref="KafkaSourceMode.Group"/>: without a
    /// committed offset of the group). Default: earliest.
    /// </summary>
    public KafkaStartOffsets StartFrom { get; init; } = KafkaStartOffsets.Earliest;

    /// <summary>
    /// Read up to the end offsets each partition has when the job starts, then end (bounded input: the final
    /// watermark fires every window and the job finishes). Default: read forever.
    /// </summary>
    public bool StopAtEndOffsets { get; init; }

    /// <summary>Extra librdkafka consumer settings (e.g. "fetch.min.bytes").</summary>
    public IReadOnlyDictionary<string, string> ConsumerConfig { get; init; } = new Dictionary<string, string>();

    /// <summary>Records fetched ahead of the job per subtask before fetching pauses (backpressure toward Kafka).</summary>
    public int FetchQueueCapacity { get; init; } = 10_000;
}
