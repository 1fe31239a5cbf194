namespace Weir.Pipelines.Factory;

/// <summary>Configuration section "Factory:Kafka": where the topics live and how they are created.</summary>
internal sealed class FactoryKafkaOptions
{
    public string Bootstrap { get; set; } = "127.0.0.1:9092";

    /// <summary>Create missing topics up front (as the original's KafkaAdmin does); otherwise a missing topic is an error.</summary>
    public bool CreateTopics { get; set; } = true;

    public int Partitions { get; set; } = 3;

    public short ReplicationFactor { get; set; } = 1;

    /// <summary>
    /// Use Kafka's idempotent producer: a retried batch is never appended twice, and records keep their order per
    /// partition. Needs InitProducerId on the broker (Weir's broker and Kafka ≥ 0.11 have it).
    /// </summary>
    public bool Idempotence { get; set; } = true;
}

/// <summary>One endpoint → topic pair of the producers.</summary>
internal sealed class FactoryStreamOptions
{
    /// <summary>Endpoint path under the API, e.g. "stream_data_metrics".</summary>
    public string Endpoint { get; set; } = "";

    public string Topic { get; set; } = "";

    /// <summary>Field of each record whose value becomes the Kafka key (as text), e.g. "id".</summary>
    public string Key { get; set; } = "";
}

/// <summary>Configuration section "Factory:Producer".</summary>
internal sealed class FactoryProducerOptions
{
    /// <summary>Base address of the streaming data API.</summary>
    public string Api { get; set; } = "http://127.0.0.1:5000";

    /// <summary>Endpoint → topic pairs; empty means the original two (metrics by id, workorder by product).</summary>
    public List<FactoryStreamOptions> Streams { get; set; } = [];

    /// <summary>Folder where each stream's progress is kept; default data/factory/producer.</summary>
    public string? State { get; set; }

    /// <summary>Longest wait between reconnection attempts, seconds.</summary>
    public double MaxBackoff { get; set; } = 10;

    public static IReadOnlyList<FactoryStreamOptions> OriginalStreams { get; } =
    [
        new() { Endpoint = "stream_data_metrics", Topic = "metrics", Key = "id" },
        new() { Endpoint = "stream_data_workorder", Topic = "workorder", Key = "product" },
    ];

    public IReadOnlyList<FactoryStreamOptions> EffectiveStreams => Streams.Count > 0 ? Streams : OriginalStreams;
}

/// <summary>Configuration section "Factory:Sink".</summary>
internal sealed class FactorySinkOptions
{
    /// <summary>Topics to persist; each needs a schema of the same name (metrics, workorder).</summary>
    public List<string> Topics { get; set; } = [];

    /// <summary>
    /// Consumer group; offsets are committed there after each durable file, and several sink processes in one group
    /// share the partitions. Empty: no group, the sink reads every partition itself and resumes from its files alone.
    /// </summary>
    public string Group { get; set; } = "factory-sink";

    /// <summary>
    /// How long the group waits for a sink that stopped answering before its partitions go to another member
    /// (Kafka's session.timeout.ms). A sink killed and restarted waits this long for its partitions.
    /// </summary>
    public double SessionTimeoutSeconds { get; set; } = 10;

    /// <summary>"parquet" (files under <see cref="Folder"/>) or "console" (print each micro-batch).</summary>
    public string Output { get; set; } = "parquet";

    /// <summary>Folder of the tables, one sub-folder per topic; default data/factory/database.</summary>
    public string? Folder { get; set; }

    /// <summary>Seconds between micro-batches (Spark's processingTime trigger).</summary>
    public double TriggerSeconds { get; set; } = 10;

    /// <summary>At most this many records per topic per micro-batch (Spark's maxOffsetsPerTrigger).</summary>
    public int MaxRecordsPerTrigger { get; set; } = 1000;

    /// <summary>At most this many rows per Parquet file (Spark's maxRecordsPerFile).</summary>
    public int MaxRecordsPerFile { get; set; } = 10_000;

    public string DeadLetterTopic { get; set; } = "factory-sink-dlq";

    public static IReadOnlyList<string> OriginalTopics { get; } = ["metrics", "workorder"];

    public IReadOnlyList<string> EffectiveTopics => Topics.Count > 0 ? Topics : OriginalTopics;
}
