namespace Weir.Broker;

/// <summary>
/// Settings of an embedded broker. Property names match the <c>Broker</c> configuration section of
/// <c>appsettings.json</c> (<c>WEIR_Broker__Listen=...</c>); topic-level defaults use Kafka's meanings.
/// </summary>
public sealed class BrokerOptions
{
    /// <summary>Address to listen on, <c>host:port</c>. Port 0 picks a free port (see <see cref="BrokerServer.BootstrapServers"/>).</summary>
    public string Listen { get; set; } = "127.0.0.1:9092";

    /// <summary>
    /// <c>host:port</c> that clients are told to connect to (Metadata). Default: the listen host and the port
    /// actually bound; the machine's host name when listening on all interfaces.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Folder that holds the log and the broker's state.</summary>
    public string DataDirectory { get; set; } = Path.Combine("data", "broker");

    /// <summary>This broker's node id in Metadata.</summary>
    public int NodeId { get; set; } = 1;

    /// <summary>Create a topic when a client asks for metadata of one that does not exist (Kafka's auto.create.topics.enable).</summary>
    public bool AutoCreateTopics { get; set; } = true;

    /// <summary>Partitions of auto-created topics and of topics created with partitions = -1 (Kafka's num.partitions).</summary>
    public int DefaultPartitions { get; set; } = 1;

    /// <summary>When appended data is forced to disk.</summary>
    public FsyncPolicy Fsync { get; set; } = FsyncPolicy.Interval;

    /// <summary>Period of <see cref="FsyncPolicy.Interval"/>.</summary>
    public int FsyncIntervalMs { get; set; } = 1000;

    /// <summary>
    /// Bytes of each partition's newest log left in the OS page cache; five times a second the broker asks the OS
    /// to drop older ones. Consumers of the tail are served from memory as before; one further behind reads from
    /// disk, and what it reads is dropped again. Freed pages are reused for the next writes at once, instead of the
    /// OS taking fresh memory for every write and reclaiming it later (which costs most on virtual machines that
    /// hand freed memory back to their host). -1 leaves the page cache to the OS, as Kafka does.
    /// </summary>
    public long PageCacheWindowBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Record batches of at least this many bytes are sent to consumers straight from the page cache with
    /// <c>sendfile</c>, as Kafka's brokers send all of theirs, instead of being read into the response and written
    /// out again: two copies fewer per batch. Smaller batches are copied, where one read of many batches costs less
    /// than reading each one's header. Only for consumers within <see cref="PageCacheWindowBytes"/> of the end. 0
    /// copies everything.
    /// </summary>
    public int SendFileMinBatchBytes { get; set; } = 64 * 1024;

    /// <summary>Largest request frame accepted; a bigger one closes the connection (Kafka's socket.request.max.bytes).</summary>
    public int MaxFrameBytes { get; set; } = 100 * 1024 * 1024;

    /// <summary>Default retention.ms: -1 keeps data forever.</summary>
    public long RetentionMs { get; set; } = 7L * 24 * 3600 * 1000;

    /// <summary>Default retention.bytes per partition: -1 = no size limit.</summary>
    public long RetentionBytes { get; set; } = -1;

    /// <summary>How often retention runs (Kafka's log.retention.check.interval.ms).</summary>
    public int RetentionCheckIntervalMs { get; set; } = 300_000;

    /// <summary>Default segment.bytes.</summary>
    public int SegmentBytes { get; set; } = 1 << 30;

    /// <summary>Default segment.ms.</summary>
    public long SegmentMs { get; set; } = 7L * 24 * 3600 * 1000;

    /// <summary>Default max.message.bytes (largest record batch).</summary>
    public int MaxMessageBytes { get; set; } = 1048588;

    /// <summary>Requests read ahead on one connection while earlier responses are still pending.</summary>
    public int MaxInFlightRequestsPerConnection { get; set; } = 64;

    /// <summary>Shortest session timeout a consumer may ask for (Kafka's group.min.session.timeout.ms).</summary>
    public int GroupMinSessionTimeoutMs { get; set; } = 6000;

    /// <summary>Longest session timeout a consumer may ask for (Kafka's group.max.session.timeout.ms).</summary>
    public int GroupMaxSessionTimeoutMs { get; set; } = 1_800_000;

    /// <summary>
    /// How long a new group waits for more members before its first assignment (Kafka's
    /// group.initial.rebalance.delay.ms, 3000 there). 0: the first member starts at once; later ones rebalance.
    /// </summary>
    public int GroupInitialRebalanceDelayMs { get; set; }
}
