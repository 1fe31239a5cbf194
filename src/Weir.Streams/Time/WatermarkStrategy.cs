namespace Weir.Streams.Time;

/// <summary>Computes a record's event timestamp from the record and the timestamp its source gave it (Kafka's record timestamp).</summary>
public delegate long TimestampAssigner<in T>(T value, long sourceTimestamp);

/// <summary>
/// How a source assigns event timestamps and watermarks: the generator (one per split), the timestamp assigner
/// and idleness. Immutable; every With... returns a new strategy. Start from <see cref="WatermarkStrategy"/>.
/// </summary>
public sealed class WatermarkStrategy<T>
{
    internal WatermarkStrategy(Func<IWatermarkGenerator<T>> generatorFactory, TimestampAssigner<T>? assigner, TimeSpan? idleTimeout, string description)
    {
        GeneratorFactory = generatorFactory;
        Assigner = assigner;
        IdleTimeout = idleTimeout;
        Description = description;
    }

    internal Func<IWatermarkGenerator<T>> GeneratorFactory { get; }

    /// <summary>Null: the source's own timestamp is used (Kafka's record timestamp; none for collections).</summary>
    internal TimestampAssigner<T>? Assigner { get; }

    internal TimeSpan? IdleTimeout { get; }

    internal string Description { get; }

    /// <summary>Takes each record's event timestamp (ms since the Unix epoch) from the record itself.</summary>
    public WatermarkStrategy<T> WithTimestampAssigner(Func<T, long> timestamp)
    {
        ArgumentNullException.ThrowIfNull(timestamp);
        return new(GeneratorFactory, (value, _) => timestamp(value), IdleTimeout, Description);
    }

    /// <summary>Takes each record's event timestamp from the record and the source's timestamp.</summary>
    public WatermarkStrategy<T> WithTimestampAssigner(TimestampAssigner<T> assigner)
    {
        ArgumentNullException.ThrowIfNull(assigner);
        return new(GeneratorFactory, assigner, IdleTimeout, Description);
    }

    /// <summary>
    /// A split (partition) that delivers no record for <paramref name="timeout"/> of processing time is marked idle:
    /// it no longer holds back the watermark until it delivers again. Detected on the periodic watermark check, so
    /// between <paramref name="timeout"/> and <paramref name="timeout"/> + <see cref="JobOptions.WatermarkInterval"/>.
    /// When every split is idle the watermark stays where it is (event time does not advance without events).
    /// </summary>
    public WatermarkStrategy<T> WithIdleness(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return new(GeneratorFactory, Assigner, timeout, Description);
    }

    public override string ToString() => IdleTimeout is { } idle ? $"{Description}, idle after {idle}" : Description;
}

/// <summary>The usual watermark strategies, as in Flink.</summary>
public static class WatermarkStrategy
{
    /// <summary>Records may arrive up to <paramref name="maxOutOfOrderness"/> behind the newest one seen.</summary>
    public static WatermarkStrategy<T> ForBoundedOutOfOrderness<T>(TimeSpan maxOutOfOrderness)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOutOfOrderness, TimeSpan.Zero);
        return new(() => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrderness), null, null, $"bounded out-of-orderness {maxOutOfOrderness}");
    }

    /// <summary>Timestamps only ever increase within a split (bounded out-of-orderness of zero).</summary>
    public static WatermarkStrategy<T> ForMonotonousTimestamps<T>() =>
        new(() => new BoundedOutOfOrdernessWatermarks<T>(TimeSpan.Zero), null, null, "monotonous timestamps");

    /// <summary>No watermarks: event-time windows and timers fire only at end of input.</summary>
    public static WatermarkStrategy<T> NoWatermarks<T>() => new(() => new NoWatermarksGenerator<T>(), null, null, "no watermarks");

    /// <summary>A custom generator; <paramref name="factory"/> is called once per split.</summary>
    public static WatermarkStrategy<T> ForGenerator<T>(Func<IWatermarkGenerator<T>> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new(factory, null, null, "custom generator");
    }
}
