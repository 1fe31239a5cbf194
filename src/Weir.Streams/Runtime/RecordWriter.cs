using System.Runtime.CompilerServices;

namespace Weir.Streams.Runtime;

/// <summary>The non-generic side of a record writer, for the subtask that owns it.</summary>
internal interface IRecordWriter
{
    /// <summary>Sends every partly filled batch now; returns whether anything was sent.</summary>
    bool FlushPartial();

    /// <summary>Sends batches that have waited longer than the buffer timeout.</summary>
    void FlushExpired(long now, long timeoutTicks);

    void BroadcastBarrier(long checkpointId);

    void BroadcastEndOfInput();

    void Cancel();
}

/// <summary>
/// The sending end of an exchange: puts records into one batch per target channel and hands a batch over when
/// it is full, when the buffer timeout passes, or before any control event (which goes to every channel).
/// </summary>
internal abstract class RecordWriter<T> : IOutput<T>, IRecordWriter
{
    private readonly Channel<T>[] _channels;
    private readonly Batch<T>?[] _pending;
    private readonly TimeProvider _clock;
    private int _pendingCount;

    protected RecordWriter(Channel<T>[] channels, TimeProvider clock)
    {
        _channels = channels;
        _pending = new Batch<T>?[channels.Length];
        _clock = clock;
    }

    protected int ChannelCount => _channels.Length;

    /// <summary>Picks the target channel of a record; negative drops it (its key could not be computed).</summary>
    protected abstract int SelectChannel(T value);

    public void Collect(T value, long timestamp)
    {
        var channel = SelectChannel(value);
        if (channel < 0)
        {
            return;
        }

        var batch = _pending[channel] ?? StartBatch(channel);
        var index = batch.Count;
        batch.Values[index] = value;
        batch.Timestamps[index] = timestamp;
        batch.Count = index + 1;
        if (batch.Count == batch.Values.Length)
        {
            Send(channel);
        }
    }

    public void EmitWatermark(long watermark) => Broadcast(ElementKind.Watermark, watermark);

    public void EmitIdle(bool idle) => Broadcast(idle ? ElementKind.Idle : ElementKind.Active, 0);

    public void BroadcastBarrier(long checkpointId) => Broadcast(ElementKind.Barrier, checkpointId);

    public void BroadcastEndOfInput() => Broadcast(ElementKind.EndOfInput, 0);

    public bool FlushPartial()
    {
        if (_pendingCount == 0)
        {
            return false;
        }

        for (var i = 0; i < _pending.Length; i++)
        {
            if (_pending[i] is not null)
            {
                Send(i);
            }
        }

        return true;
    }

    public void FlushExpired(long now, long timeoutTicks)
    {
        if (_pendingCount == 0)
        {
            return;
        }

        for (var i = 0; i < _pending.Length; i++)
        {
            if (_pending[i] is { } batch && now - batch.FirstRecordAt >= timeoutTicks)
            {
                Send(i);
            }
        }
    }

    public void Cancel()
    {
        foreach (var channel in _channels)
        {
            channel.Cancel();
        }
    }

    private void Broadcast(ElementKind kind, long value)
    {
        FlushPartial();
        var element = StreamElement<T>.Control(kind, value);
        foreach (var channel in _channels)
        {
            if (!channel.Write(element))
            {
                throw new JobCancelledException();
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Batch<T> StartBatch(int channel)
    {
        var batch = _channels[channel].RentBatch();
        batch.FirstRecordAt = _clock.GetTimestamp();
        _pending[channel] = batch;
        _pendingCount++;
        return batch;
    }

    private void Send(int channel)
    {
        var batch = _pending[channel]!;
        _pending[channel] = null;
        _pendingCount--;
        if (!_channels[channel].Write(StreamElement<T>.Records(batch)))
        {
            throw new JobCancelledException();
        }
    }
}

/// <summary>Same subtask index on both sides (parallelism equal, no repartitioning), across a thread boundary.</summary>
internal sealed class ForwardWriter<T>(Channel<T> channel, TimeProvider clock) : RecordWriter<T>([channel], clock)
{
    protected override int SelectChannel(T value) => 0;
}

/// <summary>Round-robin over all receivers: evens out load when parallelism changes without a key.</summary>
internal sealed class RebalanceWriter<T>(Channel<T>[] channels, TimeProvider clock, int start) : RecordWriter<T>(channels, clock)
{
    private int _next = start;

    protected override int SelectChannel(T value)
    {
        var channel = _next;
        _next = channel + 1 == ChannelCount ? 0 : channel + 1;
        return channel;
    }
}

/// <summary>KeyBy: the key's key group decides the receiving subtask, so every record of a key meets its state.</summary>
internal sealed class KeyGroupWriter<T, TKey>(
    Channel<T>[] channels,
    TimeProvider clock,
    Func<T, TKey> keySelector,
    IEqualityComparer<TKey> comparer,
    int maxParallelism,
    DeadLetterReporter errors,
    string stage) : RecordWriter<T>(channels, clock)
{
    protected override int SelectChannel(T value)
    {
        TKey key;
        try
        {
            key = keySelector(value);
        }
        catch (Exception error) when (DeadLetterReporter.IsRecordFailure(error))
        {
            errors.Report(stage, error, value);
            return -1;
        }

        return KeyGroups.SubtaskForHash(key is null ? 0 : comparer.GetHashCode(key), maxParallelism, ChannelCount);
    }
}
