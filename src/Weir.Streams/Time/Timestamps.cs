namespace Weir.Streams.Time;

/// <summary>Event timestamps are milliseconds since the Unix epoch, as in Kafka and Flink.</summary>
public static class Timestamps
{
    /// <summary>The timestamp of a record that has none (no assigner, no source timestamp).</summary>
    public const long None = long.MinValue;

    /// <summary>The watermark sent at end of input: every event-time window and timer fires.</summary>
    public const long MaxWatermark = long.MaxValue;

    /// <summary>Milliseconds since the Unix epoch.</summary>
    public static long FromDateTimeOffset(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    /// <summary>Milliseconds since the Unix epoch, as a UTC time.</summary>
    public static DateTimeOffset ToDateTimeOffset(long timestamp) => DateTimeOffset.FromUnixTimeMilliseconds(timestamp);

    /// <summary>Human-readable form used in logs and `weir jobs list`.</summary>
    public static string Format(long timestamp) => timestamp switch
    {
        None => "-",
        MaxWatermark => "end",
        _ => DateTimeOffset.FromUnixTimeMilliseconds(timestamp).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
    };
}
