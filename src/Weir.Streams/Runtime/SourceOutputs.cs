using Weir.Streams.Sources;
using Weir.Streams.Time;

namespace Weir.Streams.Runtime;

/// <summary>
/// The reader output of one source subtask: assigns timestamps, runs one watermark generator per split,
/// combines split watermarks through a <see cref="WatermarkValve"/> and pushes records into the chain.
/// </summary>
internal sealed class SourceOutputs<T> : ReaderOutput<T>
{
    private const string DefaultSplit = "";
    private readonly IOutput<T> _chain;
    private readonly WatermarkStrategy<T> _strategy;
    private readonly DeadLetterReporter _errors;
    private readonly string _stage;
    private readonly Dictionary<string, SplitOutput> _splits = new(StringComparer.Ordinal);
    private readonly List<SplitOutput> _active = [];
    private readonly WatermarkValve _valve = new(0, endWhenAllEnded: false);
    private readonly long _idleTimeoutMs;
    private bool _noSplitsIdle;
    private bool _polled;
    private SplitOutput? _default;

    public SourceOutputs(IOutput<T> chain, WatermarkStrategy<T> strategy, DeadLetterReporter errors, string stage)
    {
        _chain = chain;
        _strategy = strategy;
        _errors = errors;
        _stage = stage;
        _idleTimeoutMs = strategy.IdleTimeout is { } idle ? (long)idle.TotalMilliseconds : -1;
    }

    public long CurrentWatermark => _valve.Current;

    public long RecordsOut { get; private set; }

    public override void Collect(T value) => Default.Collect(value);

    public override void Collect(T value, long sourceTimestamp) => Default.Collect(value, sourceTimestamp);

    public override void Collect(T value, long sourceTimestamp, in RecordOrigin origin) => Default.Collect(value, sourceTimestamp, origin);

    public override void EmitWatermark(long watermark) => Default.EmitWatermark(watermark);

    public override void MarkIdle() => Default.MarkIdle();

    public override SourceOutput<T> ForSplit(string splitId)
    {
        ArgumentNullException.ThrowIfNull(splitId);
        if (_splits.TryGetValue(splitId, out var split))
        {
            return split;
        }

        split = new SplitOutput(this, splitId, _valve.AddInput(), _strategy.GeneratorFactory());
        _splits[splitId] = split;
        _active.Add(split);
        if (_noSplitsIdle)
        {
            _noSplitsIdle = false;
            _chain.EmitIdle(false);
        }

        return split;
    }

    public override void ReleaseSplit(string splitId)
    {
        if (_splits.Remove(splitId, out var split))
        {
            _active.Remove(split);
            split.Generator.OnPeriodicEmit(split);
            Apply(_valve.InputEnded(split.Index));
        }
    }

    private SplitOutput Default => _default ??= (SplitOutput)ForSplit(DefaultSplit);

    /// <summary>After every poll: let generators emit what they have.</summary>
    public void AfterPoll()
    {
        _polled = true;
        foreach (var split in _active)
        {
            if (!split.Idle)
            {
                split.Generator.OnPeriodicEmit(split);
            }
        }
    }

    /// <summary>The periodic check: idleness, then the generators' periodic emit.</summary>
    public void Periodic(long now)
    {
        // Only once the reader has been polled: a reader creates its splits in its first poll, and a subtask
        // thread that starts late (a busy machine) must not look split-less and idle before that (its records
        // would then be late downstream).
        if (_splits.Count == 0 && !_noSplitsIdle && _polled)
        {
            // A reader with no splits (more subtasks than partitions), or whose splits all ended or moved away (a
            // consumer group revoked its partitions), must not hold back event time downstream.
            _noSplitsIdle = true;
            _chain.EmitIdle(true);
            return;
        }

        foreach (var split in _active)
        {
            if (split.SawEvent || split.LastActive == long.MinValue)
            {
                split.SawEvent = false;
                split.LastActive = now;
            }
            else if (_idleTimeoutMs >= 0 && !split.Idle && now - split.LastActive >= _idleTimeoutMs)
            {
                split.MarkIdle();
            }

            if (!split.Idle)
            {
                split.Generator.OnPeriodicEmit(split);
            }
        }
    }

    /// <summary>The input is exhausted: every split ends, so the watermark reaches the end.</summary>
    public void EndOfInput()
    {
        AfterPoll();
        foreach (var split in _active)
        {
            Apply(_valve.InputEnded(split.Index));
        }

        _active.Clear();
        _splits.Clear();
        if (_noSplitsIdle)
        {
            _noSplitsIdle = false;
            _chain.EmitIdle(false);
        }

        if (_valve.Current != Timestamps.MaxWatermark)
        {
            _chain.EmitWatermark(Timestamps.MaxWatermark);
        }
    }

    private void Apply((long? Watermark, bool? Idle) change)
    {
        if (change.Watermark is { } watermark)
        {
            _chain.EmitWatermark(watermark);
        }

        if (change.Idle is { } idle)
        {
            _chain.EmitIdle(idle);
        }
    }

    private void Emit(T value, long timestamp)
    {
        RecordsOut++;
        _chain.Collect(value, timestamp);
    }

    private sealed class SplitOutput(SourceOutputs<T> owner, string id, int index, IWatermarkGenerator<T> generator) : SourceOutput<T>, IWatermarkOutput
    {
        public string Id { get; } = id;

        public int Index { get; } = index;

        public IWatermarkGenerator<T> Generator { get; } = generator;

        public bool SawEvent { get; set; }

        public long LastActive { get; set; } = long.MinValue;

        public bool Idle { get; private set; }

        public override void Collect(T value)
        {
            owner._errors.CurrentOrigin = default;
            Process(value, Timestamps.None);
        }

        public override void Collect(T value, long sourceTimestamp)
        {
            owner._errors.CurrentOrigin = default;
            Process(value, sourceTimestamp);
        }

        public override void Collect(T value, long sourceTimestamp, in RecordOrigin origin)
        {
            owner._errors.CurrentOrigin = origin;
            Process(value, sourceTimestamp);
        }

        private void Process(T value, long sourceTimestamp)
        {
            var timestamp = sourceTimestamp;
            if (owner._strategy.Assigner is { } assigner)
            {
                try
                {
                    timestamp = assigner(value, sourceTimestamp);
                }
                catch (Exception error) when (DeadLetterReporter.IsRecordFailure(error))
                {
                    owner._errors.Report($"{owner._stage}: timestamp", error, value);
                    return;
                }
            }

            if (Idle)
            {
                Idle = false;
                owner.Apply(owner._valve.InputIdle(Index, false));
            }

            SawEvent = true;
            owner.Emit(value, timestamp);
            Generator.OnEvent(value, timestamp, this);
        }

        public override void EmitWatermark(long watermark)
        {
            if (owner._valve.InputWatermark(Index, watermark) is { } combined)
            {
                owner._chain.EmitWatermark(combined);
            }
        }

        public override void MarkIdle()
        {
            if (!Idle)
            {
                Idle = true;
                owner.Apply(owner._valve.InputIdle(Index, true));
            }
        }
    }
}
