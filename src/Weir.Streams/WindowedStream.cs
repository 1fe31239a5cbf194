using Weir.Streams.Operators;
using Weir.Streams.State;
using Weir.Streams.Windows;

namespace Weir.Streams;

/// <summary>
/// A keyed stream cut into windows. Choose what a window produces with <c>Aggregate</c> (incremental: one
/// accumulator per key and window), <c>Reduce</c>, <c>Process</c> or <c>Apply</c> (the window's records at once).
/// Results carry the window's last millisecond (time windows) or the newest record's timestamp (count windows).
/// </summary>
public sealed class WindowedStream<T, TKey, TWindow>
    where TKey : notnull
{
    private readonly KeyedStream<T, TKey> _input;
    private readonly WindowKind<T, TKey, TWindow> _kind;
    private readonly bool _eventTime;
    private readonly string _description;
    private TimeSpan _allowedLateness;
    private OutputTag<T>? _lateData;
    private bool _flushAtEnd;
    private IStateSerializer<T>? _recordSerializer;

    internal WindowedStream(KeyedStream<T, TKey> input, WindowKind<T, TKey, TWindow> kind, bool eventTime, string description)
    {
        _input = input;
        _kind = kind;
        _eventTime = eventTime;
        _description = description;
    }

    /// <summary>
    /// Keeps event-time windows for this long after they fire: a late record within it updates the window and
    /// fires it again (results for a window can then come more than once: the last one counts).
    /// </summary>
    public WindowedStream<T, TKey, TWindow> AllowedLateness(TimeSpan lateness)
    {
        RequireEventTime(nameof(AllowedLateness));
        ArgumentOutOfRangeException.ThrowIfLessThan(lateness, TimeSpan.Zero);
        _allowedLateness = lateness;
        return this;
    }

    /// <summary>Records too late for every window they belong to go to this side output instead of being dropped.</summary>
    public WindowedStream<T, TKey, TWindow> SideOutputLateData(OutputTag<T> tag)
    {
        RequireEventTime(nameof(SideOutputLateData));
        _lateData = tag ?? throw new ArgumentNullException(nameof(tag));
        return this;
    }

    /// <summary>
    /// At end of input, fire windows that would otherwise never fire: partly filled count windows and open
    /// processing-time windows. (Event-time windows always fire at end of input: the final watermark reaches them.)
    /// </summary>
    public WindowedStream<T, TKey, TWindow> FlushAtEndOfInput()
    {
        _flushAtEnd = true;
        return this;
    }

    /// <summary>How records are written into checkpoints when a window keeps them (default: <see cref="StateSerializers.Default{T}"/>).</summary>
    public WindowedStream<T, TKey, TWindow> WithRecordSerializer(IStateSerializer<T> serializer)
    {
        _recordSerializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        return this;
    }

    /// <summary>Aggregates incrementally; emits <paramref name="resultSelector"/>(key, window, result) per window.</summary>
    public DataStream<TOut> Aggregate<TAcc, TResult, TOut>(
        IAggregateFunction<T, TAcc, TResult> aggregate,
        Func<TKey, TWindow, TResult, TOut> resultSelector,
        IStateSerializer<TAcc>? accumulatorSerializer = null)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        ArgumentNullException.ThrowIfNull(resultSelector);
        return Create(() => new AggregateAdapter<T, TKey, TAcc, TResult, TOut, TWindow>(aggregate, resultSelector, accumulatorSerializer));
    }

    /// <summary>Aggregates incrementally; emits the aggregate's result per key and window.</summary>
    public DataStream<TResult> Aggregate<TAcc, TResult>(IAggregateFunction<T, TAcc, TResult> aggregate, IStateSerializer<TAcc>? accumulatorSerializer = null) =>
        Aggregate(aggregate, static (_, _, result) => result, accumulatorSerializer);

    /// <summary>Aggregates incrementally, then hands the result to a window function (which sees key, window and side outputs).</summary>
    public DataStream<TOut> Aggregate<TAcc, TResult, TOut>(
        IAggregateFunction<T, TAcc, TResult> aggregate,
        ProcessWindowFunction<TResult, TOut, TKey, TWindow> function,
        IStateSerializer<TAcc>? accumulatorSerializer = null)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        ArgumentNullException.ThrowIfNull(function);
        return Create(() => new AggregateProcessAdapter<T, TKey, TAcc, TResult, TOut, TWindow>(aggregate, function.CopyForSubtask(), accumulatorSerializer));
    }

    /// <summary>Combines the window's records pairwise into one.</summary>
    public DataStream<T> Reduce(Func<T, T, T> reduce) => Aggregate(AggregateFunction.Reduce(reduce));

    /// <summary>A function over all the window's records at once (the window keeps them until it fires).</summary>
    public DataStream<TOut> Process<TOut>(ProcessWindowFunction<T, TOut, TKey, TWindow> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var records = _recordSerializer;
        return Create(() => new ProcessAdapter<T, TKey, TOut, TWindow>(function.CopyForSubtask(), records), function.GetType().Name);
    }

    /// <summary>A lambda over all the window's records: emit any number of results through the collector.</summary>
    public DataStream<TOut> Process<TOut>(Action<TKey, TWindow, IReadOnlyList<T>, Collector<TOut>> process)
    {
        ArgumentNullException.ThrowIfNull(process);
        return Process(new LambdaWindowFunction<T, TOut, TKey, TWindow>(process));
    }

    /// <summary>A lambda over all the window's records that makes one result per window.</summary>
    public DataStream<TOut> Apply<TOut>(Func<TKey, TWindow, IReadOnlyList<T>, TOut> apply)
    {
        ArgumentNullException.ThrowIfNull(apply);
        return Process<TOut>((key, window, records, output) => output.Collect(apply(key, window, records)));
    }

    private DataStream<TOut> Create<TAcc, TOut>(Func<WindowFunctionAdapter<T, TKey, TAcc, TOut, TWindow>> adapter, string? functionName = null)
    {
        var settings = new WindowSettings<T>(_allowedLateness, _lateData, _flushAtEnd);
        var kind = _kind;
        var records = _recordSerializer ?? StateSerializers.Default<T>();
        var key = _input.Key;
        var name = functionName is null ? $"Window({_description})" : $"Window({_description}, {functionName})";
        return _input.Transform(name, () => kind.CreateOperator(key, adapter(), settings, records), keyed: true);
    }

    private void RequireEventTime(string method)
    {
        if (!_eventTime)
        {
            throw new InvalidOperationException($"{method} applies to event-time windows only ({_description} windows are not)");
        }
    }
}

/// <summary>Which window operator a windowed stream becomes.</summary>
internal abstract class WindowKind<T, TKey, TWindow>
    where TKey : notnull
{
    public abstract OneInputOperator<T, TOut> CreateOperator<TAcc, TOut>(
        Runtime.KeySpec<T, TKey> key,
        WindowFunctionAdapter<T, TKey, TAcc, TOut, TWindow> function,
        WindowSettings<T> settings,
        IStateSerializer<T> records);
}

internal sealed class TimeWindowKind<T, TKey>(TimeWindowAssigner assigner) : WindowKind<T, TKey, TimeWindow>
    where TKey : notnull
{
    public override OneInputOperator<T, TOut> CreateOperator<TAcc, TOut>(
        Runtime.KeySpec<T, TKey> key,
        WindowFunctionAdapter<T, TKey, TAcc, TOut, TimeWindow> function,
        WindowSettings<T> settings,
        IStateSerializer<T> records) =>
        new TimeWindowOperator<T, TKey, TAcc, TOut>(key, assigner, function, settings);
}

internal sealed class CountWindowKind<T, TKey>(int size, int slide, bool emitPartial) : WindowKind<T, TKey, CountWindow>
    where TKey : notnull
{
    public override OneInputOperator<T, TOut> CreateOperator<TAcc, TOut>(
        Runtime.KeySpec<T, TKey> key,
        WindowFunctionAdapter<T, TKey, TAcc, TOut, CountWindow> function,
        WindowSettings<T> settings,
        IStateSerializer<T> records) =>
        new CountWindowOperator<T, TKey, TAcc, TOut>(key, size, slide, emitPartial, function, settings, records);
}
