namespace Weir.Streams.Runtime;

/// <summary>
/// A bounded single-producer single-consumer queue of <see cref="StreamElement{T}"/> between two subtasks, with the
/// pool of batches that flows back from the receiver to the sender. A full channel blocks the sender's thread
/// (backpressure) until the receiver takes an element or the job is cancelled.
/// </summary>
internal sealed class Channel<T>
{
    private readonly object _lock = new();
    private readonly Stack<Batch<T>> _free = new();
    private readonly int _batchSize;
    private readonly int _capacity;
    private StreamElement<T>[] _ring;
    private int _head;
    private int _count;
    private bool _cancelled;
    private bool _writerWaiting;

    /// <param name="capacity">Elements held before the sender waits; 0 = unbounded (the stepped test executor).</param>
    public Channel(int capacity, int batchSize, ISignal receiver)
    {
        _capacity = capacity;
        _batchSize = batchSize;
        Receiver = receiver;
        _ring = new StreamElement<T>[Math.Max(4, capacity)];
    }

    public ISignal Receiver { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public Batch<T> RentBatch()
    {
        lock (_lock)
        {
            if (_free.TryPop(out var batch))
            {
                return batch;
            }
        }

        return new Batch<T>(_batchSize);
    }

    public void ReturnBatch(Batch<T> batch)
    {
        batch.Clear();
        lock (_lock)
        {
            if (_free.Count <= _capacity + 2)
            {
                _free.Push(batch);
            }
        }
    }

    /// <summary>Adds an element, waiting while the channel is full. Returns false when the job was cancelled.</summary>
    public bool Write(in StreamElement<T> element)
    {
        lock (_lock)
        {
            while (_capacity > 0 && _count >= _capacity && !_cancelled)
            {
                _writerWaiting = true;
                Monitor.Wait(_lock);
            }

            if (_cancelled)
            {
                return false;
            }

            if (_count == _ring.Length)
            {
                Grow();
            }

            _ring[(_head + _count) % _ring.Length] = element;
            _count++;
        }

        Receiver.Set();
        return true;
    }

    public bool TryRead(out StreamElement<T> element)
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                element = default;
                return false;
            }

            element = _ring[_head];
            _ring[_head] = default;
            _head = (_head + 1) % _ring.Length;
            _count--;
            if (_writerWaiting)
            {
                _writerWaiting = false;
                Monitor.PulseAll(_lock);
            }

            return true;
        }
    }

    /// <summary>Releases a sender blocked on a full channel; later writes are dropped.</summary>
    public void Cancel()
    {
        lock (_lock)
        {
            _cancelled = true;
            Monitor.PulseAll(_lock);
        }
    }

    private void Grow()
    {
        var bigger = new StreamElement<T>[_ring.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            bigger[i] = _ring[(_head + i) % _ring.Length];
        }

        _ring = bigger;
        _head = 0;
    }
}
