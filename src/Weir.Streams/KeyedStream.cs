using Weir.Streams.Operators;
using Weir.Streams.Runtime;
using Weir.Streams.Windows;

namespace Weir.Streams;

/// <summary>
/// A stream partitioned by key. Keyed process functions and windows that follow keep state per key; any other
/// operator sees the records after the key-partitioning exchange.
/// </summary>
public sealed class KeyedStream<T, TKey> : DataStream<T>
    where TKey : notnull
{
    internal KeyedStream(StreamEnvironment environment, IReadOnlyList<StreamRef<T>> inputs, KeySpec<T, TKey> key)
        : base(environment, inputs, null)
    {
        Key = key;
    }

    internal KeySpec<T, TKey> Key { get; }

    /// <summary>
    /// A function with keyed state and timers. Each parallel subtask works on its own shallow copy of
    /// <paramref name="function"/>, so state handles kept in fields (opened in Open) are per subtask.
    /// </summary>
    public DataStream<TOut> Process<TOut>(KeyedProcessFunction<TKey, T, TOut> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var key = Key;
        return Transform(function.GetType().Name, () => new KeyedProcessOperator<TKey, T, TOut>(key, function.CopyForSubtask()), keyed: true);
    }

    /// <summary>Time windows (tumbling or sliding, event or processing time) per key.</summary>
    public WindowedStream<T, TKey, TimeWindow> Window(TimeWindowAssigner assigner)
    {
        ArgumentNullException.ThrowIfNull(assigner);
        return new WindowedStream<T, TKey, TimeWindow>(this, new TimeWindowKind<T, TKey>(assigner), assigner.IsEventTime, assigner.ToString());
    }

    /// <summary>Tumbling count windows: every <paramref name="size"/> records of a key form one window.</summary>
    public WindowedStream<T, TKey, CountWindow> CountWindow(int size) => CountWindow(size, size);

    /// <summary>
    /// Sliding count windows: every <paramref name="slide"/> records, a window of the key's last
    /// <paramref name="size"/> records. Only full windows fire unless <paramref name="emitPartialWindows"/> is
    /// set (then the first windows fire while filling up, as Flink's Java countWindow(size, slide) does).
    /// </summary>
    public WindowedStream<T, TKey, CountWindow> CountWindow(int size, int slide, bool emitPartialWindows = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slide, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slide, size);
        var description = size == slide ? $"count {size}" : $"count {size} every {slide}";
        return new WindowedStream<T, TKey, CountWindow>(this, new CountWindowKind<T, TKey>(size, slide, emitPartialWindows), false, description);
    }
}
