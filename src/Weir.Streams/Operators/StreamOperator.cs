using Weir.Streams.Runtime;

namespace Weir.Streams.Operators;

/// <summary>
/// An operator instance in one subtask. All calls come from the subtask's thread, in order: Open, then records,
/// watermarks and timers interleaved, snapshots between them, EndInput once input is exhausted, then Close.
/// </summary>
internal abstract class StreamOperator
{
    public OperatorContext Context { get; private set; } = null!;

    /// <summary>The last watermark this operator received.</summary>
    public long CurrentWatermark { get; protected set; } = long.MinValue;

    public long RecordsIn { get; protected set; }

    public abstract long RecordsOut { get; }

    /// <summary>Records dropped because they came too late for every window (no late-data output set).</summary>
    public virtual long LateRecordsDropped => 0;

    public void Setup(OperatorContext context) => Context = context;

    public virtual void Open()
    {
    }

    /// <summary>All input has been read (bounded sources): flush what is buffered.</summary>
    public virtual void EndInput()
    {
    }

    /// <summary>Called before a checkpoint barrier goes downstream: make buffered output durable (sinks).</summary>
    public virtual void PrepareSnapshot(long checkpointId)
    {
    }

    /// <summary>Writes this operator's state for a checkpoint. Operators without state write nothing.</summary>
    public virtual void SnapshotState(BinaryWriter writer)
    {
    }

    /// <summary>Whether <see cref="SnapshotState"/> writes anything (the checkpoint skips stateless operators).</summary>
    public virtual bool HasState => false;

    /// <summary>Restores from every old subtask's snapshot of this operator (keyed operators keep their key groups).</summary>
    public virtual void RestoreState(IReadOnlyList<BinaryReader> snapshots)
    {
    }

    public virtual void NotifyCheckpointComplete(long checkpointId)
    {
    }

    public virtual void Close()
    {
    }
}

/// <summary>An operator with one input stream and one output stream (plus side outputs).</summary>
internal abstract class OneInputOperator<TIn, TOut> : StreamOperator, IOutput<TIn>
{
    protected OperatorOutput<TOut> Output { get; private set; } = null!;

    public override long RecordsOut => Output.RecordsOut;

    public void SetOutput(OperatorOutput<TOut> output) => Output = output;

    public abstract void ProcessElement(TIn value, long timestamp);

    public virtual void ProcessWatermark(long watermark)
    {
        CurrentWatermark = watermark;
        Output.EmitWatermark(watermark);
    }

    public virtual void ProcessIdle(bool idle) => Output.EmitIdle(idle);

    void IOutput<TIn>.Collect(TIn value, long timestamp)
    {
        RecordsIn++;
        ProcessElement(value, timestamp);
    }

    void IOutput<TIn>.EmitWatermark(long watermark) => ProcessWatermark(watermark);

    void IOutput<TIn>.EmitIdle(bool idle) => ProcessIdle(idle);
}

/// <summary>The output type of operators that end a stream (sinks).</summary>
internal readonly struct NoOutput;
