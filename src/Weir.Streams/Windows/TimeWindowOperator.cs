using System.Runtime.InteropServices;
using Weir.Streams.Operators;
using Weir.Streams.Runtime;
using Weir.Streams.Time;

namespace Weir.Streams.Windows;

/// <summary>
/// Keyed tumbling and sliding windows in event or processing time, with Flink's semantics:
/// a window [start, end) fires once (event time) the watermark reaches end − 1, or (processing time) the clock
/// does; its state stays until end − 1 + allowed lateness, and a record for a window that already fired but is
/// still within the lateness fires it again with the record included. A record whose every window is past its
/// lateness is late: it goes to the late-data side output when one is set, otherwise it is dropped and counted.
/// </summary>
internal sealed class TimeWindowOperator<TIn, TKey, TAcc, TOut>(
    KeySpec<TIn, TKey> keys,
    TimeWindowAssigner assigner,
    WindowFunctionAdapter<TIn, TKey, TAcc, TOut, TimeWindow> function,
    WindowSettings<TIn> settings) : OneInputOperator<TIn, TOut>, IProcessingTimeCallback, IOutputProvider
    where TKey : notnull
{
    // Accumulators are created on first use, so an entry's value is never the default a missing entry would have.
    private readonly Dictionary<WindowKey<TKey>, TAcc> _windows = new(new WindowKeyComparer<TKey>(keys.Comparer));
    private readonly WindowTimers<TKey> _timers = new();
    private readonly long _size = assigner.Size;
    private readonly long _slide = assigner.Slide;
    private readonly long _lateness = (long)settings.AllowedLateness.TotalMilliseconds;
    private readonly bool _eventTime = assigner.IsEventTime;
    private TimestampedCollector<TOut> _collector = null!;
    private WindowContextImpl<TimeWindow> _context = null!;
    private IOutput<TIn> _lateOutput = DiscardOutput<TIn>.Instance;

    private long _lateDropped;

    public override long LateRecordsDropped => _lateDropped;

    public int OpenWindows => _windows.Count;

    public override bool HasState => true;

    public override void Open()
    {
        _collector = new TimestampedCollector<TOut>(Output);
        _context = new WindowContextImpl<TimeWindow>(() => CurrentWatermark, () => Context.ProcessingTime.CurrentTime, this);
        if (settings.LateDataTag is { } tag)
        {
            _lateOutput = Output.Side(tag);
        }

        function.Open(Context.ToFunctionContext());
    }

    public IOutput<T> Side<T>(OutputTag<T> tag) => Output.Side(tag);

    public override void ProcessElement(TIn value, long timestamp)
    {
        if (_eventTime)
        {
            if (timestamp == Timestamps.None)
            {
                NoTimestamp(value);
                return;
            }
        }
        else
        {
            timestamp = Context.ProcessingTime.CurrentTime;
        }

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

        var assigned = false;
        var watermark = CurrentWatermark;
        for (var start = assigner.LastWindowStart(timestamp); start > timestamp - _size; start -= _slide)
        {
            var maxTimestamp = start + _size - 1;
            if (_eventTime && CleanupTime(maxTimestamp) <= watermark)
            {
                continue; // this window is past its lateness
            }

            assigned = true;
            var window = new WindowKey<TKey>(key, start);
            ref TAcc accumulator = ref CollectionsMarshal.GetValueRefOrAddDefault(_windows, window, out var exists)!;
            try
            {
                if (!exists)
                {
                    accumulator = function.CreateAccumulator();
                    RegisterTimers(window, maxTimestamp);
                }

                function.Add(ref accumulator, value);
            }
            catch (Exception error) when (DeadLetterReporter.IsRecordFailure(error))
            {
                Context.Errors.Report(Context.OperatorName, error, value);
                continue;
            }

            if (_eventTime && maxTimestamp <= watermark)
            {
                Fire(window, ref accumulator); // a late record within the allowed lateness: fire again
            }
        }

        if (!assigned)
        {
            Late(value, timestamp);
        }
    }

    public override void ProcessWatermark(long watermark)
    {
        CurrentWatermark = watermark;
        if (_eventTime)
        {
            while (_timers.TryTakeDue(watermark, out var time, out var windows))
            {
                OnTimer(time, windows);
                _timers.Return(windows);
            }
        }

        Output.EmitWatermark(watermark);
    }

    public void OnProcessingTime(long time)
    {
        while (_timers.TryTakeDue(time, out var due, out var windows))
        {
            OnTimer(due, windows);
            _timers.Return(windows);
        }
    }

    public override void EndInput()
    {
        // Event-time windows have all fired on the final watermark. Processing-time windows fire only if asked.
        if (!_eventTime && settings.FlushAtEndOfInput)
        {
            OnProcessingTime(long.MaxValue);
        }
    }

    private void OnTimer(long time, List<WindowKey<TKey>> windows)
    {
        foreach (var window in windows)
        {
            ref var accumulator = ref CollectionsMarshal.GetValueRefOrNullRef(_windows, window);
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref accumulator))
            {
                continue;
            }

            var maxTimestamp = window.Start + _size - 1;
            var cleanup = _eventTime ? CleanupTime(maxTimestamp) : maxTimestamp;
            if (time == maxTimestamp || (time == long.MaxValue && !_eventTime))
            {
                Fire(window, ref accumulator);
            }

            if (time == cleanup || time == long.MaxValue)
            {
                function.Release(ref accumulator);
                _windows.Remove(window);
            }
        }
    }

    private void Fire(WindowKey<TKey> window, ref TAcc accumulator)
    {
        var timeWindow = new TimeWindow(window.Start, window.Start + _size);
        _collector.Timestamp = timeWindow.MaxTimestamp;
        _context.Current = timeWindow;
        _context.Timestamp = timeWindow.MaxTimestamp;
        try
        {
            function.Emit(window.Key, ref accumulator, _context, _collector);
        }
        catch (Exception error) when (DeadLetterReporter.IsRecordFailure(error))
        {
            Context.Errors.Report(Context.OperatorName, $"window {timeWindow} of key {window.Key}: {error.GetType().Name}: {error.Message}", error, window.Key, default);
        }
    }

    private void RegisterTimers(WindowKey<TKey> window, long maxTimestamp)
    {
        if (_timers.Add(maxTimestamp, window) && !_eventTime)
        {
            Context.ProcessingTime.Register(maxTimestamp, this);
        }

        if (_eventTime && _lateness > 0)
        {
            _timers.Add(CleanupTime(maxTimestamp), window);
        }
    }

    private long CleanupTime(long maxTimestamp) =>
        maxTimestamp > long.MaxValue - _lateness ? long.MaxValue : maxTimestamp + _lateness;

    private void Late(TIn value, long timestamp)
    {
        if (settings.LateDataTag is not null)
        {
            _lateOutput.Collect(value, timestamp);
        }
        else
        {
            _lateDropped++;
        }
    }

    private void NoTimestamp(TIn value) =>
        Context.Errors.Report(
            Context.OperatorName,
            "record has no event timestamp: give the source a WatermarkStrategy with a timestamp assigner, or use processing-time windows",
            null,
            value,
            Context.Errors.CurrentOrigin);

    public override void Close() => function.Close();

    public override void SnapshotState(BinaryWriter writer)
    {
        writer.Write(_windows.Count);
        foreach (var (window, accumulator) in _windows)
        {
            keys.Serializer.Write(writer, window.Key);
            writer.Write(window.Start);
            function.AccumulatorSerializer.Write(writer, accumulator);
        }

        _timers.Snapshot(writer, keys.Serializer);
    }

    public override void RestoreState(IReadOnlyList<BinaryReader> snapshots)
    {
        foreach (var reader in snapshots)
        {
            var count = reader.ReadInt32();
            for (var i = 0; i < count; i++)
            {
                var key = keys.Serializer.Read(reader);
                var start = reader.ReadInt64();
                var accumulator = function.AccumulatorSerializer.Read(reader);
                if (Owns(key))
                {
                    _windows[new WindowKey<TKey>(key, start)] = accumulator;
                }
            }

            _timers.Restore(reader, keys.Serializer, Owns, _eventTime ? null : time => Context.ProcessingTime.Register(time, this));
        }
    }

    private bool Owns(TKey key) =>
        KeyGroups.SubtaskForHash(keys.Comparer.GetHashCode(key), Context.MaxParallelism, Context.Parallelism) == Context.SubtaskIndex;
}

/// <summary>Window options set on the windowed stream.</summary>
internal sealed record WindowSettings<TIn>(TimeSpan AllowedLateness, OutputTag<TIn>? LateDataTag, bool FlushAtEndOfInput);
