namespace Weir.Streams.Windows;

/// <summary>
/// Assigns records to time windows of a fixed size that start every <see cref="Slide"/> (tumbling: slide = size),
/// aligned to the Unix epoch plus <see cref="Offset"/>. Create one with <see cref="TumblingEventTimeWindows"/>,
/// <see cref="SlidingEventTimeWindows"/>, <see cref="TumblingProcessingTimeWindows"/> or
/// <see cref="SlidingProcessingTimeWindows"/>.
/// </summary>
public sealed class TimeWindowAssigner
{
    internal TimeWindowAssigner(TimeSpan size, TimeSpan slide, TimeSpan offset, bool isEventTime)
    {
        Size = ToMilliseconds(size, nameof(size));
        Slide = ToMilliseconds(slide, nameof(slide));
        if (Slide > Size)
        {
            throw new ArgumentException($"slide ({slide}) must not be longer than size ({size}): records would fall between windows", nameof(slide));
        }

        Offset = (long)offset.TotalMilliseconds;
        if (Math.Abs(Offset) >= Slide)
        {
            throw new ArgumentException($"offset ({offset}) must be shorter than the slide ({slide})", nameof(offset));
        }

        IsEventTime = isEventTime;
    }

    public long Size { get; }

    public long Slide { get; }

    public long Offset { get; }

    public bool IsEventTime { get; }

    internal bool IsTumbling => Size == Slide;

    /// <summary>The start of the last window that contains <paramref name="timestamp"/> (Flink's rule, offset included).</summary>
    internal long LastWindowStart(long timestamp)
    {
        var remainder = (timestamp - Offset) % Slide;
        return remainder < 0 ? timestamp - (remainder + Slide) : timestamp - remainder;
    }

    public override string ToString() =>
        $"{(IsTumbling ? "tumbling" : "sliding")} {(IsEventTime ? "event-time" : "processing-time")} {TimeSpan.FromMilliseconds(Size)}" +
        (IsTumbling ? "" : $" every {TimeSpan.FromMilliseconds(Slide)}");

    private static long ToMilliseconds(TimeSpan value, string name)
    {
        var ms = (long)value.TotalMilliseconds;
        return ms >= 1 ? ms : throw new ArgumentOutOfRangeException(name, value, "must be at least 1 ms");
    }
}

/// <summary>Event-time windows of a fixed size that do not overlap: [0, size), [size, 2·size) …</summary>
public static class TumblingEventTimeWindows
{
    public static TimeWindowAssigner Of(TimeSpan size, TimeSpan offset = default) => new(size, size, offset, isEventTime: true);
}

/// <summary>Event-time windows of <c>size</c> starting every <c>slide</c>: a record is in size/slide windows.</summary>
public static class SlidingEventTimeWindows
{
    public static TimeWindowAssigner Of(TimeSpan size, TimeSpan slide, TimeSpan offset = default) => new(size, slide, offset, isEventTime: true);
}

/// <summary>Processing-time windows of a fixed size, by the job clock at the moment a record is processed.</summary>
public static class TumblingProcessingTimeWindows
{
    public static TimeWindowAssigner Of(TimeSpan size, TimeSpan offset = default) => new(size, size, offset, isEventTime: false);
}

/// <summary>Processing-time windows of <c>size</c> starting every <c>slide</c>.</summary>
public static class SlidingProcessingTimeWindows
{
    public static TimeWindowAssigner Of(TimeSpan size, TimeSpan slide, TimeSpan offset = default) => new(size, slide, offset, isEventTime: false);
}
