namespace Weir.Streams.State;

/// <summary>
/// Timers per key in one time domain: at most one timer per (key, time), fired in time order. Deleting a timer
/// removes it from the set; the queue entry is skipped when it comes up.
/// </summary>
internal sealed class KeyedTimerQueue<TKey>
    where TKey : notnull
{
    private readonly PriorityQueue<TKey, (long Time, long Sequence)> _queue = new();
    private readonly HashSet<(long Time, TKey Key)> _active;
    private long _sequence;

    public KeyedTimerQueue(IEqualityComparer<TKey> comparer)
    {
        _active = new HashSet<(long, TKey)>(new TimerComparer(comparer));
    }

    public int Count => _active.Count;

    /// <summary>Adds a timer; returns false when the key already had one at that time.</summary>
    public bool Add(long time, TKey key)
    {
        if (!_active.Add((time, key)))
        {
            return false;
        }

        _queue.Enqueue(key, (time, _sequence++));
        return true;
    }

    public void Delete(long time, TKey key) => _active.Remove((time, key));

    /// <summary>Takes the next timer at or before <paramref name="upTo"/>.</summary>
    public bool TryTakeDue(long upTo, out long time, out TKey key)
    {
        while (_queue.TryPeek(out key!, out var due) && due.Time <= upTo)
        {
            _queue.Dequeue();
            if (_active.Remove((due.Time, key)))
            {
                time = due.Time;
                return true;
            }
        }

        time = 0;
        key = default!;
        return false;
    }

    public long? NextTime()
    {
        while (_queue.TryPeek(out var key, out var due))
        {
            if (_active.Contains((due.Time, key)))
            {
                return due.Time;
            }

            _queue.Dequeue();
        }

        return null;
    }

    public void Snapshot(BinaryWriter writer, IStateSerializer<TKey> keySerializer)
    {
        writer.Write(_active.Count);
        foreach (var (time, key) in _active)
        {
            writer.Write(time);
            keySerializer.Write(writer, key);
        }
    }

    public void Restore(BinaryReader reader, IStateSerializer<TKey> keySerializer, Func<TKey, bool> owns)
    {
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var time = reader.ReadInt64();
            var key = keySerializer.Read(reader);
            if (owns(key))
            {
                Add(time, key);
            }
        }
    }

    private sealed class TimerComparer(IEqualityComparer<TKey> keys) : IEqualityComparer<(long Time, TKey Key)>
    {
        public bool Equals((long Time, TKey Key) x, (long Time, TKey Key) y) => x.Time == y.Time && keys.Equals(x.Key, y.Key);

        public int GetHashCode((long Time, TKey Key) obj) => HashCode.Combine(obj.Time, keys.GetHashCode(obj.Key));
    }
}
