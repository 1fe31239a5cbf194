using Weir.Streams.State;

namespace Weir.Streams.Windows;

/// <summary>
/// What a window operator does with a window's contents: keep an accumulator per key and window (incremental
/// aggregate, or the list of records for a full window function) and turn it into results when the window fires.
/// </summary>
internal abstract class WindowFunctionAdapter<TIn, TKey, TAcc, TOut, TWindow>
{
    public abstract IStateSerializer<TAcc> AccumulatorSerializer { get; }

    public abstract TAcc CreateAccumulator();

    public abstract void Add(ref TAcc accumulator, TIn value);

    public abstract void Emit(TKey key, ref TAcc accumulator, WindowContext<TWindow> context, Collector<TOut> output);

    /// <summary>Emits from a list of records (count windows keep records, not accumulators).</summary>
    public abstract void EmitElements(TKey key, IReadOnlyList<TIn> elements, WindowContext<TWindow> context, Collector<TOut> output);

    /// <summary>The window is gone: give pooled storage back.</summary>
    public virtual void Release(ref TAcc accumulator)
    {
    }

    public virtual void Open(FunctionContext context)
    {
    }

    public virtual void Close()
    {
    }
}

/// <summary>Aggregate, then turn (key, window, result) into the output record.</summary>
internal sealed class AggregateAdapter<TIn, TKey, TAcc, TResult, TOut, TWindow>(
    IAggregateFunction<TIn, TAcc, TResult> aggregate,
    Func<TKey, TWindow, TResult, TOut> select,
    IStateSerializer<TAcc>? serializer) : WindowFunctionAdapter<TIn, TKey, TAcc, TOut, TWindow>
{
    public override IStateSerializer<TAcc> AccumulatorSerializer { get; } = serializer ?? StateSerializers.Default<TAcc>();

    public override TAcc CreateAccumulator() => aggregate.CreateAccumulator();

    public override void Add(ref TAcc accumulator, TIn value) => aggregate.Add(ref accumulator, value);

    public override void Emit(TKey key, ref TAcc accumulator, WindowContext<TWindow> context, Collector<TOut> output) =>
        output.Collect(select(key, context.Window, aggregate.GetResult(accumulator)));

    public override void EmitElements(TKey key, IReadOnlyList<TIn> elements, WindowContext<TWindow> context, Collector<TOut> output)
    {
        var accumulator = aggregate.CreateAccumulator();
        for (var i = 0; i < elements.Count; i++)
        {
            aggregate.Add(ref accumulator, elements[i]);
        }

        Emit(key, ref accumulator, context, output);
    }
}

/// <summary>Aggregate, then hand the single result to a process window function (Flink's aggregate(agg, windowFunction)).</summary>
internal sealed class AggregateProcessAdapter<TIn, TKey, TAcc, TResult, TOut, TWindow>(
    IAggregateFunction<TIn, TAcc, TResult> aggregate,
    ProcessWindowFunction<TResult, TOut, TKey, TWindow> function,
    IStateSerializer<TAcc>? serializer) : WindowFunctionAdapter<TIn, TKey, TAcc, TOut, TWindow>
{
    private readonly TResult[] _single = new TResult[1];

    public override IStateSerializer<TAcc> AccumulatorSerializer { get; } = serializer ?? StateSerializers.Default<TAcc>();

    public override TAcc CreateAccumulator() => aggregate.CreateAccumulator();

    public override void Add(ref TAcc accumulator, TIn value) => aggregate.Add(ref accumulator, value);

    public override void Emit(TKey key, ref TAcc accumulator, WindowContext<TWindow> context, Collector<TOut> output)
    {
        _single[0] = aggregate.GetResult(accumulator);
        try
        {
            function.Process(key, context, _single, output);
        }
        finally
        {
            _single[0] = default!;
        }
    }

    public override void EmitElements(TKey key, IReadOnlyList<TIn> elements, WindowContext<TWindow> context, Collector<TOut> output)
    {
        var accumulator = aggregate.CreateAccumulator();
        for (var i = 0; i < elements.Count; i++)
        {
            aggregate.Add(ref accumulator, elements[i]);
        }

        Emit(key, ref accumulator, context, output);
    }

    public override void Open(FunctionContext context) => function.Open(context);

    public override void Close() => function.Close();
}

/// <summary>A full window function: the window keeps its records (pooled lists) and the function sees them all.</summary>
internal sealed class ProcessAdapter<TIn, TKey, TOut, TWindow>(
    ProcessWindowFunction<TIn, TOut, TKey, TWindow> function,
    IStateSerializer<TIn>? serializer) : WindowFunctionAdapter<TIn, TKey, List<TIn>, TOut, TWindow>
{
    private readonly Stack<List<TIn>> _pool = new();

    public override IStateSerializer<List<TIn>> AccumulatorSerializer { get; } = new ListSerializer<TIn>(serializer ?? StateSerializers.Default<TIn>());

    public override List<TIn> CreateAccumulator() => _pool.TryPop(out var list) ? list : [];

    public override void Add(ref List<TIn> accumulator, TIn value) => accumulator.Add(value);

    public override void Emit(TKey key, ref List<TIn> accumulator, WindowContext<TWindow> context, Collector<TOut> output) =>
        function.Process(key, context, accumulator, output);

    public override void EmitElements(TKey key, IReadOnlyList<TIn> elements, WindowContext<TWindow> context, Collector<TOut> output) =>
        function.Process(key, context, elements, output);

    public override void Release(ref List<TIn> accumulator)
    {
        if (_pool.Count < 1024 && accumulator.Capacity <= 4096)
        {
            accumulator.Clear();
            _pool.Push(accumulator);
        }

        accumulator = null!;
    }

    public override void Open(FunctionContext context) => function.Open(context);

    public override void Close() => function.Close();
}

/// <summary>A process window function from a lambda.</summary>
internal sealed class LambdaWindowFunction<TIn, TOut, TKey, TWindow>(Action<TKey, TWindow, IReadOnlyList<TIn>, Collector<TOut>> process)
    : ProcessWindowFunction<TIn, TOut, TKey, TWindow>
{
    public override void Process(TKey key, WindowContext<TWindow> context, IReadOnlyList<TIn> elements, Collector<TOut> output) =>
        process(key, context.Window, elements, output);
}

internal sealed class ListSerializer<T>(IStateSerializer<T> items) : IStateSerializer<List<T>>
{
    public void Write(BinaryWriter writer, List<T> value)
    {
        writer.Write(value.Count);
        foreach (var item in value)
        {
            items.Write(writer, item);
        }
    }

    public List<T> Read(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        var list = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(items.Read(reader));
        }

        return list;
    }
}
