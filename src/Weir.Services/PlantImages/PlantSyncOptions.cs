namespace Weir.Services.PlantImages;

/// <summary>Configuration section "PlantSync": the plant-image sync's services, jobs and their defaults.</summary>
internal sealed class PlantSyncOptions
{
    public const string Section = "PlantSync";

    /// <summary>Kafka bootstrap servers: Weir's broker by default, any Kafka cluster at scale.</summary>
    public string Bootstrap { get; set; } = "127.0.0.1:9092";

    /// <summary>Partitions per plant topic when the topics are created (the original had 1; more lets more consumers share).</summary>
    public int Partitions { get; set; } = 1;

    /// <summary>Replication factor of created topics (1 for the embedded broker; 3 on a production cluster).</summary>
    public short ReplicationFactor { get; set; } = 1;

    public ProducerSideOptions Producer { get; set; } = new();

    public ConsumerSideOptions Consumer { get; set; } = new();

    public WorkloadSideOptions Workload { get; set; } = new();

    public BatchSideOptions Batch { get; set; } = new();
}

/// <summary>"PlantSync:Producer": the producer's image API, its database and the outbox relay.</summary>
internal sealed class ProducerSideOptions
{
    public string Listen { get; set; } = "127.0.0.1:8000";

    /// <summary>SQLite file or PostgreSQL connection string. Default: &lt;data-root&gt;/plant/producer.db.</summary>
    public string? Database { get; set; }

    /// <summary>Images generated per plant when the plant has none, so the API has something to copy and serve.</summary>
    public int SeedImages { get; set; } = 10;

    /// <summary>Publish the outbox to Kafka (off: changes wait in the outbox).</summary>
    public bool Relay { get; set; } = true;

    public TimeSpan OutboxRetention { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>"PlantSync:Consumer": the consumer service (Kafka consumer, replica database, read-only image API).</summary>
internal sealed class ConsumerSideOptions
{
    public string Listen { get; set; } = "127.0.0.1:8001";

    /// <summary>SQLite file or PostgreSQL connection string. Default: &lt;data-root&gt;/plant/consumer.db.</summary>
    public string? Database { get; set; }

    public string GroupId { get; set; } = "pepper-potato-tomato-group";

    public int MaxBatch { get; set; } = 500;

    /// <summary>The producer API's address, named in the consumer side's answer to writes.</summary>
    public string ProducerApi { get; set; } = "http://127.0.0.1:8000";
}

/// <summary>"PlantSync:Workload": the original jobs against the producer API.</summary>
internal sealed class WorkloadSideOptions
{
    public string Api { get; set; } = "http://127.0.0.1:8000";

    /// <summary>Divides every job's period (1: the original rates, about 0.05 changes/s).</summary>
    public double Speed { get; set; } = 1;

    public int Seed { get; set; } = 1;

    public int ImageSize { get; set; } = 96;
}

/// <summary>"PlantSync:Batch": the batch Db Synchronizer Job.</summary>
internal sealed class BatchSideOptions
{
    /// <summary>Default: the producer's database.</summary>
    public string? ProducerDatabase { get; set; }

    /// <summary>Default: the consumer's database.</summary>
    public string? ConsumerDatabase { get; set; }

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(600);

    public TimeSpan Overlap { get; set; } = TimeSpan.FromSeconds(5);
}
