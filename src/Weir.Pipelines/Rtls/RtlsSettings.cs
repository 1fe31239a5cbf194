namespace Weir.Pipelines.Rtls;

/// <summary>Configuration section "Rtls" (appsettings.json, WEIR_Rtls__*, flags).</summary>
internal sealed class RtlsSettings
{
    public const string Section = "Rtls";

    public string DataTopic { get; set; } = "packet_data";

    public string AliveTopic { get; set; } = "packet_alive";

    public string OutputTopic { get; set; } = "out_data";

    public string AliveOutputTopic { get; set; } = "out_alive";

    /// <summary>Compacted topic of anchor positions: key = anchor id, value = [x, y] (a tombstone removes it).</summary>
    public string AnchorsTopic { get; set; } = "anchors";

    /// <summary>A JSON file of anchors ({"A0": [2, 0], ...} or a floor plan), re-read when it changes.</summary>
    public string? AnchorsFile { get; set; }

    /// <summary>Anchors in configuration; default the original's A0 (2,0), A1 (0,2), A2 (2,3).</summary>
    public Dictionary<string, double[]>? Anchors { get; set; }

    public string DeadLetterTopic { get; set; } = "rtls-dlq";

    public string GroupId { get; set; } = "rtls";

    public int WindowSize { get; set; } = 3;

    /// <summary>The original's count window and error row (see docs/pipelines/rtls.md).</summary>
    public bool Compatibility { get; set; }

    /// <summary>Readings of one window lie within this span of event time.</summary>
    public double WindowSpreadSeconds { get; set; } = 5;

    public double OutOfOrdernessSeconds { get; set; } = 10;

    public double IdlenessSeconds { get; set; } = 30;

    /// <summary>An anchor without a heartbeat for this long (event time) is reported dead.</summary>
    public double AliveTimeoutSeconds { get; set; } = 30;

    /// <summary>"packet": the protobuf timestamp (Kafka's when absent); "kafka": the Kafka record timestamp.</summary>
    public string EventTime { get; set; } = "packet";

    public int Parallelism { get; set; } = 2;

    public string StartFrom { get; set; } = "earliest";

    public string? CheckpointDirectory { get; set; }

    public double CheckpointIntervalSeconds { get; set; } = 10;

    public RtlsSimulatorSettings Simulator { get; set; } = new();

    public AnchorMap InitialAnchors() =>
        Anchors is { Count: > 0 } ? AnchorMap.FromConfiguration(Anchors)
        : AnchorsFile is { Length: > 0 } file ? AnchorMap.Load(file)
        : AnchorMap.Default;
}

/// <summary>Section "Rtls:Simulator".</summary>
internal sealed class RtlsSimulatorSettings
{
    /// <summary>A floor plan file (anchors, rooms, max_range); default the original's three anchors and six rooms.</summary>
    public string? Plan { get; set; }

    /// <summary>Instead of a plan: this many anchors on a grid (for load).</summary>
    public int GridAnchors { get; set; }

    public double GridSpacing { get; set; } = 10;

    public int Tags { get; set; } = 6;

    public long IntervalMs { get; set; } = 1_000;

    public double Speed { get; set; } = 0.5;

    public double Noise { get; set; } = 0.05;

    public double Drop { get; set; }

    public double Duplicate { get; set; }

    public long ReorderMs { get; set; }

    public long HeartbeatMs { get; set; } = 2_000;

    /// <summary>Anchor outages, e.g. ["A2@60s", "A1@30s-90s"].</summary>
    public string[] Kill { get; set; } = [];

    public int Seed { get; set; } = 1;

    /// <summary>"protobuf" (the original bridge's key for every message) or "anchor" (the anchor id).</summary>
    public string Key { get; set; } = "protobuf";

    public int Partitions { get; set; } = 1;
}
