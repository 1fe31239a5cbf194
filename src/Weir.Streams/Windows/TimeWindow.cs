using Weir.Streams.Time;

namespace Weir.Streams.Windows;

/// <summary>
/// A time window [Start, End): milliseconds since the Unix epoch, End exclusive. An event-time window fires when
/// the watermark reaches <see cref="MaxTimestamp"/> (End − 1); its results carry that timestamp.
/// </summary>
public readonly record struct TimeWindow(long Start, long End)
{
    /// <summary>The last millisecond inside the window.</summary>
    public long MaxTimestamp => End - 1;

    public override string ToString() => $"[{Timestamps.Format(Start)}, {Timestamps.Format(End)})";
}

/// <summary>
/// A count window of one key: <see cref="Sequence"/> counts the windows emitted for that key (0, 1, 2 …), so
/// key + sequence names a result deterministically; <see cref="Count"/> is the number of records in it.
/// </summary>
public readonly record struct CountWindow(long Sequence, int Count);
