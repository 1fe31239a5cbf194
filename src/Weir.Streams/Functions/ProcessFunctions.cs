namespace Weir.Streams;

/// <summary>A function over every record, with side outputs and the clocks (no key, no state).</summary>
public abstract class ProcessFunction<TIn, TOut>
{
    /// <summary>Each subtask works on its own shallow copy, so fields set in Open belong to one subtask.</summary>
    internal ProcessFunction<TIn, TOut> CopyForSubtask() => (ProcessFunction<TIn, TOut>)MemberwiseClone();

    public virtual void Open(FunctionContext context)
    {
    }

    public abstract void ProcessElement(TIn value, ProcessContext context, Collector<TOut> output);

    public virtual void Close()
    {
    }
}

/// <summary>
/// A function over the records of a keyed stream, with keyed state (opened in <see cref="Open"/>) and timers in
/// event and processing time. Everything it reads and writes belongs to the current key.
/// </summary>
public abstract class KeyedProcessFunction<TKey, TIn, TOut>
{
    /// <summary>Each subtask works on its own shallow copy, so state handles kept in fields belong to one subtask.</summary>
    internal KeyedProcessFunction<TKey, TIn, TOut> CopyForSubtask() => (KeyedProcessFunction<TKey, TIn, TOut>)MemberwiseClone();

    public virtual void Open(KeyedFunctionContext context)
    {
    }

    public abstract void ProcessElement(TIn value, KeyedContext<TKey> context, Collector<TOut> output);

    /// <summary>A timer of the current key fired; <paramref name="timestamp"/> is its time.</summary>
    public virtual void OnTimer(long timestamp, KeyedTimerContext<TKey> context, Collector<TOut> output)
    {
    }

    public virtual void Close()
    {
    }
}

/// <summary>
/// A function over a whole window at once: every record of the key in the window (for time windows, in arrival
/// order). The list is only valid during the call. Results get the window's last millisecond as timestamp.
/// </summary>
public abstract class ProcessWindowFunction<TIn, TOut, TKey, TWindow>
{
    /// <summary>Each subtask works on its own shallow copy.</summary>
    internal ProcessWindowFunction<TIn, TOut, TKey, TWindow> CopyForSubtask() => (ProcessWindowFunction<TIn, TOut, TKey, TWindow>)MemberwiseClone();

    public virtual void Open(FunctionContext context)
    {
    }

    public abstract void Process(TKey key, WindowContext<TWindow> context, IReadOnlyList<TIn> elements, Collector<TOut> output);

    public virtual void Close()
    {
    }
}
