namespace Weir.Streams.Time;

/// <summary>Where a watermark generator emits: watermarks only ever move forward, lower ones are ignored.</summary>
public interface IWatermarkOutput
{
    /// <summary>Declares that no more records with a timestamp at or below <paramref name="watermark"/> are expected.</summary>
    void EmitWatermark(long watermark);
}

/// <summary>
/// Produces watermarks for one source split (one Kafka partition, one generator) from the timestamps it sees.
/// One instance per split; called on the split's subtask thread only.
/// </summary>
public interface IWatermarkGenerator<in T>
{
    /// <summary>Called for every record, after its timestamp is assigned.</summary>
    void OnEvent(T value, long timestamp, IWatermarkOutput output);

    /// <summary>Called after every batch a source reads and every <see cref="JobOptions.WatermarkInterval"/>.</summary>
    void OnPeriodicEmit(IWatermarkOutput output);
}

/// <summary>
/// Watermark = highest timestamp seen − max out-of-orderness − 1 ms (Flink's rule): a window [start, end) fires
/// once a record with timestamp ≥ end + out-of-orderness has been read.
/// </summary>
public sealed class BoundedOutOfOrdernessWatermarks<T> : IWatermarkGenerator<T>
{
    private readonly long _outOfOrderness;
    private long _maxTimestamp;

    public BoundedOutOfOrdernessWatermarks(TimeSpan maxOutOfOrderness)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOutOfOrderness, TimeSpan.Zero);
        _outOfOrderness = (long)maxOutOfOrderness.TotalMilliseconds;
        _maxTimestamp = long.MinValue + _outOfOrderness + 1;
    }

    public void OnEvent(T value, long timestamp, IWatermarkOutput output)
    {
        if (timestamp > _maxTimestamp)
        {
            _maxTimestamp = timestamp;
        }
    }

    public void OnPeriodicEmit(IWatermarkOutput output) => output.EmitWatermark(_maxTimestamp - _outOfOrderness - 1);
}

/// <summary>A generator that never emits: event time only advances at end of input.</summary>
internal sealed class NoWatermarksGenerator<T> : IWatermarkGenerator<T>
{
    public void OnEvent(T value, long timestamp, IWatermarkOutput output)
    {
    }

    public void OnPeriodicEmit(IWatermarkOutput output)
    {
    }
}
