using Weir.Streams.Sinks;

namespace Weir.Streams.Testing;

/// <summary>A sink that keeps every record with its timestamp, in arrival order (thread-safe).</summary>
public sealed class CollectSink<T> : ISink<T>
{
    private readonly List<(T Value, long Timestamp)> _records = [];

    /// <summary>The records received so far.</summary>
    public IReadOnlyList<T> Values
    {
        get
        {
            lock (_records)
            {
                return [.. _records.Select(r => r.Value)];
            }
        }
    }

    /// <summary>The records received so far, with their event timestamps.</summary>
    public IReadOnlyList<(T Value, long Timestamp)> Records
    {
        get
        {
            lock (_records)
            {
                return [.. _records];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_records)
            {
                return _records.Count;
            }
        }
    }

    /// <summary>Forgets what was received (to assert on the next step alone).</summary>
    public void Clear()
    {
        lock (_records)
        {
            _records.Clear();
        }
    }

    /// <summary>Returns what was received since the last call and forgets it.</summary>
    public IReadOnlyList<T> Take()
    {
        lock (_records)
        {
            var values = _records.Select(r => r.Value).ToList();
            _records.Clear();
            return values;
        }
    }

    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer(_records);

    private sealed class Writer(List<(T Value, long Timestamp)> records) : ISinkWriter<T>
    {
        public void Write(T value, long timestamp)
        {
            lock (records)
            {
                records.Add((value, timestamp));
            }
        }

        public void Flush()
        {
        }

        public void Dispose()
        {
        }
    }
}
