using Weir.Streams.Runtime;
using Weir.Streams.State;

namespace Weir.Streams.Operators;

/// <summary>Runs a <see cref="KeyedProcessFunction{TKey,TIn,TOut}"/>: keyed state, event- and processing-time timers.</summary>
internal sealed class KeyedProcessOperator<TKey, TIn, TOut>(
    KeySpec<TIn, TKey> keys,
    KeyedProcessFunction<TKey, TIn, TOut> function) : OneInputOperator<TIn, TOut>, IProcessingTimeCallback
    where TKey : notnull
{
    private KeyedStateBackend<TKey>? _state;
    private KeyedTimerQueue<TKey> _eventTimers = null!;
    private KeyedTimerQueue<TKey> _processingTimers = null!;
    private readonly HashSet<long> _scheduled = [];
    private TimestampedCollector<TOut> _collector = null!;
    private Ctx _context = null!;

    public override bool HasState => true;

    private KeyedStateBackend<TKey> State => _state ??= CreateState();

    private KeyedStateBackend<TKey> CreateState()
    {
        _eventTimers = new KeyedTimerQueue<TKey>(keys.Comparer);
        _processingTimers = new KeyedTimerQueue<TKey>(keys.Comparer);
        return new KeyedStateBackend<TKey>(keys.Comparer, keys.Serializer, Context.SubtaskIndex, Context.Parallelism, Context.MaxParallelism);
    }

    public override void Open()
    {
        _ = State;
        _collector = new TimestampedCollector<TOut>(Output);
        _context = new Ctx(this);
        function.Open(new KeyedFunctionContextImpl<TKey>(Context, State));
        if (_processingTimers.NextTime() is { } next)
        {
            Schedule(next);
        }
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        TKey key;
        try
        {
            key = keys.Selector(value);
        }
        catch (Exception error) when (DeadLetterReporter.IsRecordFailure(error))
        {
            Context.Errors.Report(Context.OperatorName, error, value);
            return;
        }

        State.CurrentKey = key;
        _collector.Timestamp = timestamp;
        _context.Set(timestamp, TimeDomain.EventTime);
        try
        {
            function.ProcessElement(value, _context, _collector);
        }
        catch (Exception error) when (DeadLetterReporter.IsRecordFailure(error))
        {
            Context.Errors.Report(Context.OperatorName, error, value);
        }
    }

    public override void ProcessWatermark(long watermark)
    {
        CurrentWatermark = watermark;
        while (_eventTimers.TryTakeDue(watermark, out var time, out var key))
        {
            Fire(time, key, TimeDomain.EventTime);
        }

        Output.EmitWatermark(watermark);
    }

    public void OnProcessingTime(long time)
    {
        _scheduled.Remove(time);
        while (_processingTimers.TryTakeDue(time, out var due, out var key))
        {
            Fire(due, key, TimeDomain.ProcessingTime);
        }

        if (_processingTimers.NextTime() is { } next)
        {
            Schedule(next);
        }
    }

    private void Fire(long time, TKey key, TimeDomain domain)
    {
        State.CurrentKey = key;
        _collector.Timestamp = domain == TimeDomain.EventTime ? time : Time.Timestamps.None;
        _context.Set(time, domain);
        try
        {
            function.OnTimer(time, _context, _collector);
        }
        catch (Exception error) when (DeadLetterReporter.IsRecordFailure(error))
        {
            Context.Errors.Report(Context.OperatorName, $"OnTimer({time}) for key {key} failed: {error.GetType().Name}: {error.Message}", error, key, default);
        }
    }

    private void Schedule(long time)
    {
        if (_scheduled.Add(time))
        {
            Context.ProcessingTime.Register(time, this);
        }
    }

    public override void SnapshotState(BinaryWriter writer)
    {
        State.Snapshot(writer);
        _eventTimers.Snapshot(writer, keys.Serializer);
        _processingTimers.Snapshot(writer, keys.Serializer);
    }

    public override void RestoreState(IReadOnlyList<BinaryReader> snapshots)
    {
        var state = State;
        foreach (var reader in snapshots)
        {
            state.Restore([reader]);
            _eventTimers.Restore(reader, keys.Serializer, state.Owns);
            _processingTimers.Restore(reader, keys.Serializer, state.Owns);
        }
    }

    public override void Close() => function.Close();

    private sealed class Ctx(KeyedProcessOperator<TKey, TIn, TOut> owner) : KeyedTimerContext<TKey>, ITimerService
    {
        private long _timestamp;
        private TimeDomain _domain;

        public void Set(long timestamp, TimeDomain domain)
        {
            _timestamp = timestamp;
            _domain = domain;
        }

        public override long Timestamp => _timestamp;

        public override TimeDomain TimeDomain => _domain;

        public override TKey CurrentKey => owner.State.CurrentKey;

        public override ITimerService Timers => this;

        public override long CurrentWatermark => owner.CurrentWatermark;

        public override long CurrentProcessingTime => owner.Context.ProcessingTime.CurrentTime;

        public override void Output<T>(OutputTag<T> tag, T value) => owner.Output.Side(tag).Collect(value, _timestamp);

        public void RegisterEventTimeTimer(long time) => owner._eventTimers.Add(time, owner.State.CurrentKey);

        public void RegisterProcessingTimeTimer(long time)
        {
            if (owner._processingTimers.Add(time, owner.State.CurrentKey))
            {
                owner.Schedule(time);
            }
        }

        public void DeleteEventTimeTimer(long time) => owner._eventTimers.Delete(time, owner.State.CurrentKey);

        public void DeleteProcessingTimeTimer(long time) => owner._processingTimers.Delete(time, owner.State.CurrentKey);
    }
}

/// <summary>The keyed function context: opens state tables in the operator's backend.</summary>
internal sealed class KeyedFunctionContextImpl<TKey>(OperatorContext context, KeyedStateBackend<TKey> state)
    : KeyedFunctionContext(context.JobName, context.OperatorName, context.SubtaskIndex, context.Parallelism, context.Logger)
    where TKey : notnull
{
    public override IValueState<T> GetValueState<T>(string name, IStateSerializer<T>? serializer = null) => state.GetValueState(name, serializer);

    public override IListState<T> GetListState<T>(string name, IStateSerializer<T>? serializer = null) => state.GetListState(name, serializer);

    public override IMapState<TMapKey, TValue> GetMapState<TMapKey, TValue>(string name, IStateSerializer<TMapKey>? keySerializer = null, IStateSerializer<TValue>? valueSerializer = null) =>
        state.GetMapState(name, keySerializer, valueSerializer);
}
