using Confluent.Kafka;

namespace Weir.Pipelines.Factory;

/// <summary>
/// Follows the records of one stream from the moment they are handed to the Kafka client until the broker has
/// them, to know at any time the <see cref="ProducerProgress"/> to save: the longest prefix of the stream that is
/// in the topic, and per partition the lowest offset at which a later record of the stream may sit. Delivery
/// reports arrive on the client's thread, in any order across partitions; records in flight are kept in a ring
/// (bounded by the client's queue), nothing is allocated per record.
/// </summary>
internal sealed class DeliveryTracker
{
    private readonly Lock _gate = new();
    private Entry[] _ring = new Entry[1024];
    private long _next;
    private long _handed;
    private long[] _nextOffset;
    private Error? _error;

    /// <param name="next">Records below this index are in the topic already.</param>
    /// <param name="scanFrom">Per partition, the offset from which later records may sit (see <see cref="ProducerProgress.ScanFrom"/>).</param>
    public DeliveryTracker(long next, int partitions, IReadOnlyDictionary<int, long> scanFrom)
    {
        _next = next;
        _handed = next;
        _nextOffset = new long[Math.Max(partitions, scanFrom.Count == 0 ? 0 : scanFrom.Keys.Max() + 1)];
        foreach (var (partition, offset) in scanFrom)
        {
            _nextOffset[partition] = offset;
        }
    }

    public long Next
    {
        get
        {
            lock (_gate)
            {
                return _next;
            }
        }
    }

    /// <summary>Records handed to the client (or skipped) so far: the index of the next record of the stream.</summary>
    public long Handed
    {
        get
        {
            lock (_gate)
            {
                return _handed;
            }
        }
    }

    /// <summary>The first delivery that failed for good (after the client's retries), if any.</summary>
    public Error? Error
    {
        get
        {
            lock (_gate)
            {
                return _error;
            }
        }
    }

    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return (int)(_handed - _next);
            }
        }
    }

    /// <summary>Record <paramref name="index"/> (the next one) is being handed to the client.</summary>
    public void Handing(long index)
    {
        lock (_gate)
        {
            Expect(index);
            Slot(index) = default;
            _handed++;
        }
    }

    /// <summary>Record <paramref name="index"/> (the next one) is in the topic already, at this place, and is not produced again.</summary>
    public void AlreadyThere(long index, int partition, long offset)
    {
        Handing(index);
        Delivered(index, partition, offset);
    }

    public void Delivered(long index, int partition, long offset)
    {
        lock (_gate)
        {
            if (index < _next || index >= _handed)
            {
                return; // not ours (a report from before a restart of the tracker)
            }

            Slot(index) = new Entry { Done = true, Partition = partition, Offset = offset };
            if (partition >= _nextOffset.Length)
            {
                Array.Resize(ref _nextOffset, partition + 1);
            }

            // Later records of this stream in this partition are appended after this one.
            if (offset + 1 > _nextOffset[partition])
            {
                _nextOffset[partition] = offset + 1;
            }

            Advance();
        }
    }

    public void Failed(Error error)
    {
        lock (_gate)
        {
            _error ??= error;
        }
    }

    /// <summary>The progress to save now.</summary>
    public (long Next, Dictionary<int, long> ScanFrom) Snapshot()
    {
        lock (_gate)
        {
            var scanFrom = new Dictionary<int, long>(_nextOffset.Length);
            for (var p = 0; p < _nextOffset.Length; p++)
            {
                scanFrom[p] = _nextOffset[p];
            }

            // A delivered record beyond the prefix may sit below the partition's next offset: start the scan there.
            for (var i = _next; i < _handed; i++)
            {
                var entry = Slot(i);
                if (entry.Done && entry.Partition >= 0 && entry.Offset < scanFrom[entry.Partition])
                {
                    scanFrom[entry.Partition] = entry.Offset;
                }
            }

            return (_next, scanFrom);
        }
    }

    private void Advance()
    {
        while (_next < _handed && Slot(_next).Done)
        {
            _next++;
        }
    }

    private void Expect(long index)
    {
        if (index != _handed)
        {
            throw new InvalidOperationException($"records are handed in order: expected {_handed}, got {index}");
        }

        if (_handed - _next >= _ring.Length)
        {
            Grow();
        }
    }

    private ref Entry Slot(long index) => ref _ring[index % _ring.Length];

    private void Grow()
    {
        var grown = new Entry[_ring.Length * 2];
        for (var i = _next; i < _handed; i++)
        {
            grown[i % grown.Length] = _ring[i % _ring.Length];
        }

        _ring = grown;
    }

    private struct Entry
    {
        public bool Done;
        public int Partition;
        public long Offset;
    }
}
