using Weir.Streams.Sources;

namespace Weir.Streams.Testing;

/// <summary>
/// A source a test feeds by hand: records (with source timestamps) into numbered splits, explicit watermarks,
/// idleness, and the end of input. One reader reads every split (parallelism 1), so the order is exactly what the
/// test wrote. Thread-safe: a test may feed a running job too.
/// </summary>
public sealed class TestSource<T> : ISource<T>
{
    private readonly object _lock = new();
    private readonly Queue<Item> _items = new();
    private SourceReaderContext? _context;
    private bool _ended;

    public bool IsBounded => true;

    public int? MaxParallelism => 1;

    /// <summary>Queues a record without a source timestamp into split 0.</summary>
    public TestSource<T> Emit(T value) => Enqueue(new Item(Kind.Record, 0, value, Time.Timestamps.None));

    /// <summary>Queues a record with a source timestamp (what the watermark strategy sees as the source's timestamp).</summary>
    public TestSource<T> Emit(T value, long timestamp, int split = 0) => Enqueue(new Item(Kind.Record, split, value, timestamp));

    /// <summary>Queues several records with their timestamps into one split.</summary>
    public TestSource<T> EmitAll(IEnumerable<(T Value, long Timestamp)> records, int split = 0)
    {
        foreach (var (value, timestamp) in records)
        {
            Emit(value, timestamp, split);
        }

        return this;
    }

    /// <summary>Queues an explicit watermark for a split (besides what the watermark strategy generates).</summary>
    public TestSource<T> EmitWatermark(long watermark, int split = 0) => Enqueue(new Item(Kind.Watermark, split, default!, watermark));

    /// <summary>Declares a split idle until it next emits.</summary>
    public TestSource<T> MarkIdle(int split) => Enqueue(new Item(Kind.Idle, split, default!, 0));

    /// <summary>Ends a split (it stops holding back the watermark).</summary>
    public TestSource<T> EndSplit(int split) => Enqueue(new Item(Kind.EndSplit, split, default!, 0));

    /// <summary>Ends the input: the final watermark fires every event-time window, then the job finishes.</summary>
    public void EndInput()
    {
        lock (_lock)
        {
            _ended = true;
        }

        _context?.SignalDataAvailable();
    }

    /// <summary>Records queued and not read yet.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        _context = context;
        return new Reader(this);
    }

    private TestSource<T> Enqueue(Item item)
    {
        lock (_lock)
        {
            if (_ended)
            {
                throw new InvalidOperationException("the test source's input has ended");
            }

            _items.Enqueue(item);
        }

        _context?.SignalDataAvailable();
        return this;
    }

    private enum Kind
    {
        Record,
        Watermark,
        Idle,
        EndSplit,
    }

    private readonly record struct Item(Kind Kind, int Split, T Value, long Timestamp);

    private sealed class Reader(TestSource<T> source) : ISourceReader<T>
    {
        private long _read;

        public SourceStatus Poll(ReaderOutput<T> output)
        {
            // Everything queued so far, in order: a test's Emit … Run() step is one poll.
            while (true)
            {
                Item item;
                lock (source._lock)
                {
                    if (!source._items.TryDequeue(out item))
                    {
                        return source._ended ? SourceStatus.EndOfInput : SourceStatus.NothingAvailable;
                    }
                }

                _read++;
                var split = output.ForSplit(item.Split.ToString(System.Globalization.CultureInfo.InvariantCulture));
                switch (item.Kind)
                {
                    case Kind.Record:
                        split.Collect(item.Value, item.Timestamp);
                        break;
                    case Kind.Watermark:
                        split.EmitWatermark(item.Timestamp);
                        break;
                    case Kind.Idle:
                        split.MarkIdle();
                        break;
                    case Kind.EndSplit:
                        output.ReleaseSplit(item.Split.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        break;
                }
            }
        }

        public IReadOnlyList<SplitState> SnapshotState(long checkpointId) => [new SplitState("test", BitConverter.GetBytes(_read))];

        public void Dispose()
        {
        }
    }
}
