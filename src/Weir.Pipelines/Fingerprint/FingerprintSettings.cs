namespace Weir.Pipelines.Fingerprint;

/// <summary>
/// Configuration section "Fingerprint" (appsettings.json, WEIR_Fingerprint__*, flags). The original's
/// config.py table is here under the same names: window size, watermark, equipment ids, sensor ids, parallelism.
/// </summary>
internal sealed class FingerprintSettings
{
    public const string Section = "Fingerprint";

    public string InputTopic { get; set; } = "sensor-data";

    public string OutputTopic { get; set; } = "fingerprint-output";

    /// <summary>Records that arrive after their window closed (the original dropped them silently).</summary>
    public string LateTopic { get; set; } = "fingerprint-late";

    public string DeadLetterTopic { get; set; } = "fingerprint-dlq";

    /// <summary>The original job's consumer group.</summary>
    public string GroupId { get; set; } = "fingerprint-consumer";

    /// <summary>The record's "type" (the original hard-coded "kiln").</summary>
    public string Type { get; set; } = "kiln";

    public double WindowSizeMinutes { get; set; } = 1;

    /// <summary>Bounded out-of-orderness of the watermark.</summary>
    public double WatermarkSeconds { get; set; } = 10;

    /// <summary>A partition silent this long stops holding the watermark back.</summary>
    public double IdlenessSeconds { get; set; } = 30;

    /// <summary>Equipment ids the generator simulates ("110-114", "1-10000", "110,111,KILN_2").</summary>
    public string EquipmentIds { get; set; } = "110-114";

    /// <summary>Sensor ids per equipment ("0001-0005").</summary>
    public string SensorIds { get; set; } = "0001-0005";

    public int Parallelism { get; set; } = 1;

    /// <summary>"json": the message's timestamp field; "kafka": the Kafka record timestamp (what the original used).</summary>
    public string EventTime { get; set; } = "json";

    /// <summary>Round values through float32 like the original's Types.FLOAT() (1.09 → 1.090000033378601).</summary>
    public bool Float32Values { get; set; }

    /// <summary>Where a new consumer group starts: "earliest" or "latest" (the original's).</summary>
    public string StartFrom { get; set; } = "earliest";

    public string? CheckpointDirectory { get; set; }

    public double CheckpointIntervalSeconds { get; set; } = 10;

    public FingerprintGeneratorSettings Generator { get; set; } = new();

    public FingerprintSaverSettings Saver { get; set; } = new();
}

/// <summary>Section "Fingerprint:Generator".</summary>
internal sealed class FingerprintGeneratorSettings
{
    public long IntervalMs { get; set; } = 1_000;

    public double NullProbability { get; set; } = 0.15;

    public bool StringValues { get; set; }

    public int Seed { get; set; } = 1;

    /// <summary>Partitions of the input topic when the generator creates it.</summary>
    public int Partitions { get; set; } = 1;
}

/// <summary>Section "Fingerprint:Saver".</summary>
internal sealed class FingerprintSaverSettings
{
    /// <summary>Default: &lt;data-root&gt;/fingerprint/output.</summary>
    public string? OutputFolder { get; set; }

    public string ReadingsGroupId { get; set; } = "fingerprint-saver-sensor";

    public string FingerprintsGroupId { get; set; } = "fingerprint-saver-output";
}
