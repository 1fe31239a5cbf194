namespace Weir.Broker.Storage;

/// <summary>The per-topic settings a partition log obeys (Kafka topic configs of the same names).</summary>
internal sealed record LogConfig
{
    /// <summary>retention.ms: segments whose newest record is older are deleted; -1 keeps everything.</summary>
    public long RetentionMs { get; init; } = 7L * 24 * 3600 * 1000;

    /// <summary>retention.bytes: oldest segments are deleted while the partition is larger; -1 = no limit.</summary>
    public long RetentionBytes { get; init; } = -1;

    /// <summary>segment.bytes: a new segment starts when the active one would grow past this.</summary>
    public int SegmentBytes { get; init; } = 1 << 30;

    /// <summary>segment.ms: a new segment starts when the active one is older than this (so time retention can act).</summary>
    public long SegmentMs { get; init; } = 7L * 24 * 3600 * 1000;

    /// <summary>max.message.bytes: the largest record batch accepted.</summary>
    public int MaxMessageBytes { get; init; } = 1048588;

    /// <summary>index.interval.bytes: bytes between two entries of the sparse offset index.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>message.timestamp.type = LogAppendTime: the broker stamps batches with its own clock.</summary>
    public bool LogAppendTime { get; init; }

    /// <summary>cleanup.policy contains "delete": time and size retention apply (compaction is not implemented).</summary>
    public bool DeleteRetention { get; init; } = true;
}
