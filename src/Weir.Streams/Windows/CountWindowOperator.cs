using Weir.Streams.Operators;
using Weir.Streams.Runtime;
using Weir.Streams.State;

namespace Weir.Streams.Windows;

/// <summary>
/// Keyed count windows: each key keeps its last <c>size</c> records; every <c>slide</c> records the window fires
/// with them, oldest first (tumbling: slide = size, the window then starts empty). By default a sliding window
/// fires only once it holds <c>size</c> records; with partial windows it also fires while it is filling (Flink's
/// countWindow(size, slide) in Java). Results carry the newest record's timestamp. At end of input, records that
/// have not fired yet are dropped unless FlushAtEndOfInput is set.
/// </summary>
internal sealed class CountWindowOperator<TIn, TKey, TAcc, TOut>(
    KeySpec<TIn, TKey> keys,
    int size,
    int slide,
    bool emitPartial,
    WindowFunctionAdapter<TIn, TKey, TAcc, TOut, CountWindow> function,
    WindowSettings<TIn> settings,
    IStateSerializer<TIn> recordSerializer) : OneInputOperator<TIn, TOut>, IOutputProvider
    where TKey : notnull
{
    private readonly Dictionary<TKey, KeyWindow> _keys = new(keys.Comparer);
    private readonly List<TIn> _elements = new(size);
    private TimestampedCollector<TOut> _collector = null!;
    private WindowContextImpl<CountWindow> _context = null!;

    public override bool HasState => true;

    public override void Open()
    {
        _collector = new TimestampedCollector<TOut>(Output);
        _context = new WindowContextImpl<CountWindow>(() => CurrentWatermark, () => Context.ProcessingTime.CurrentTime, this);
        function.Open(Context.ToFunctionContext());
    }

    public IOutput<T> Side<T>(OutputTag<T> tag) => Output.Side(tag);

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

        if (!_keys.TryGetValue(key, out var window))
        {
            _keys[key] = window = new KeyWindow(size);
        }

        window.Add(value, timestamp);
        if (window.SinceFire >= slide && (emitPartial || window.Count == size))
        {
            Fire(key, window);
        }
    }

    public override void EndInput()
    {
        if (!settings.FlushAtEndOfInput)
        {
            return;
        }

        foreach (var (key, window) in _keys)
        {
            if (window.SinceFire > 0)
            {
                Fire(key, window);
            }
        }
    }

    private void Fire(TKey key, KeyWindow window)
    {
        _elements.Clear();
        window.CopyTo(_elements);
        var countWindow = new CountWindow(window.Sequence, _elements.Count);
        _collector.Timestamp = window.LastTimestamp;
        _context.Current = countWindow;
        _context.Timestamp = window.LastTimestamp;
        try
        {
            function.EmitElements(key, _elements, _context, _collector);
        }
        catch (Exception error) when (DeadLetterReporter.IsRecordFailure(error))
        {
            Context.Errors.Report(Context.OperatorName, $"count window {countWindow.Sequence} of key {key}: {error.GetType().Name}: {error.Message}", error, key, default);
        }
        finally
        {
            _elements.Clear();
        }

        window.Sequence++;
        window.SinceFire = 0;
        if (slide == size)
        {
            window.Clear();
        }
    }

    public override void Close() => function.Close();

    public override void SnapshotState(BinaryWriter writer)
    {
        writer.Write(_keys.Count);
        foreach (var (key, window) in _keys)
        {
            keys.Serializer.Write(writer, key);
            writer.Write(window.Sequence);
            writer.Write(window.SinceFire);
            writer.Write(window.LastTimestamp);
            _elements.Clear();
            window.CopyTo(_elements);
            writer.Write(_elements.Count);
            foreach (var element in _elements)
            {
                recordSerializer.Write(writer, element);
            }

            _elements.Clear();
        }
    }

    public override void RestoreState(IReadOnlyList<BinaryReader> snapshots)
    {
        foreach (var reader in snapshots)
        {
            var count = reader.ReadInt32();
            for (var i = 0; i < count; i++)
            {
                var key = keys.Serializer.Read(reader);
                var window = new KeyWindow(size) { Sequence = reader.ReadInt64() };
                var sinceFire = reader.ReadInt32();
                var lastTimestamp = reader.ReadInt64();
                var elements = reader.ReadInt32();
                for (var j = 0; j < elements; j++)
                {
                    window.Add(recordSerializer.Read(reader), lastTimestamp);
                }

                window.SinceFire = sinceFire;
                if (KeyGroups.SubtaskForHash(keys.Comparer.GetHashCode(key), Context.MaxParallelism, Context.Parallelism) == Context.SubtaskIndex)
                {
                    _keys[key] = window;
                }
            }
        }
    }

    /// <summary>The last records of one key, in a ring.</summary>
    private sealed class KeyWindow(int size)
    {
        private readonly TIn[] _ring = new TIn[size];
        private int _next;

        public int Count { get; private set; }

        public int SinceFire { get; set; }

        public long Sequence { get; set; }

        public long LastTimestamp { get; private set; }

        public void Add(TIn value, long timestamp)
        {
            _ring[_next] = value;
            _next = (_next + 1) % _ring.Length;
            if (Count < _ring.Length)
            {
                Count++;
            }

            SinceFire++;
            LastTimestamp = timestamp;
        }

        public void CopyTo(List<TIn> target)
        {
            var first = (_next - Count + _ring.Length) % _ring.Length;
            for (var i = 0; i < Count; i++)
            {
                target.Add(_ring[(first + i) % _ring.Length]);
            }
        }

        public void Clear()
        {
            Array.Clear(_ring);
            Count = 0;
            _next = 0;
        }
    }
}
