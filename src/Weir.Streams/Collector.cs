using Weir.Streams.Runtime;

namespace Weir.Streams;

/// <summary>
/// Where a function emits its results. <see cref="Collect(T)"/> gives the result the timestamp of what is being
/// processed (the input record, the fired timer, the window's last millisecond).
/// </summary>
public abstract class Collector<T>
{
    /// <summary>Emits a record with the current timestamp.</summary>
    public abstract void Collect(T value);

    /// <summary>Emits a record with an explicit event timestamp (ms since the Unix epoch).</summary>
    public abstract void Collect(T value, long timestamp);
}

/// <summary>A collector that stamps records with the timestamp of the element or timer being processed.</summary>
internal sealed class TimestampedCollector<T>(IOutput<T> output) : Collector<T>
{
    public long Timestamp { get; set; }

    public override void Collect(T value) => output.Collect(value, Timestamp);

    public override void Collect(T value, long timestamp) => output.Collect(value, timestamp);
}
