using Weir.Streams.State;

namespace Weir.Streams.Windows;

/// <summary>A key and the start of one of its windows: the address of a window's state.</summary>
internal readonly record struct WindowKey<TKey>(TKey Key, long Start);

internal sealed class WindowKeyComparer<TKey>(IEqualityComparer<TKey> keys) : IEqualityComparer<WindowKey<TKey>>
{
    public bool Equals(WindowKey<TKey> x, WindowKey<TKey> y) => x.Start == y.Start && keys.Equals(x.Key, y.Key);

    public int GetHashCode(WindowKey<TKey> obj) => (keys.GetHashCode(obj.Key!) * 31) ^ obj.Start.GetHashCode();
}

/// <summary>
/// Window timers grouped by time: with tumbling windows every key's window ends at the same moment, so one
/// bucket per distinct time (a list of windows) costs far less than one heap entry per window.
/// </summary>
internal sealed class WindowTimers<TKey>
{
    private readonly Dictionary<long, List<WindowKey<TKey>>> _byTime = [];
    private readonly PriorityQueue<long, long> _times = new();
    private readonly Stack<List<WindowKey<TKey>>> _pool = new();

    public int Count { get; private set; }

    /// <summary>Adds a window's timer; returns true when <paramref name="time"/> is a new distinct time.</summary>
    public bool Add(long time, WindowKey<TKey> window)
    {
        Count++;
        if (_byTime.TryGetValue(time, out var list))
        {
            list.Add(window);
            return false;
        }

        list = _pool.TryPop(out var pooled) ? pooled : [];
        list.Add(window);
        _byTime[time] = list;
        _times.Enqueue(time, time);
        return true;
    }

    /// <summary>Takes every window whose timer is at the earliest time at or before <paramref name="upTo"/>; give the list back with <see cref="Return"/>.</summary>
    public bool TryTakeDue(long upTo, out long time, out List<WindowKey<TKey>> windows)
    {
        if (_times.TryPeek(out time, out _) && time <= upTo)
        {
            _times.Dequeue();
            _byTime.Remove(time, out windows!);
            Count -= windows.Count;
            return true;
        }

        windows = null!;
        return false;
    }

    public void Return(List<WindowKey<TKey>> windows)
    {
        windows.Clear();
        _pool.Push(windows);
    }

    public IEnumerable<long> Times => _byTime.Keys;

    public void Snapshot(BinaryWriter writer, IStateSerializer<TKey> keySerializer)
    {
        writer.Write(Count);
        foreach (var (time, windows) in _byTime)
        {
            foreach (var window in windows)
            {
                writer.Write(time);
                keySerializer.Write(writer, window.Key);
                writer.Write(window.Start);
            }
        }
    }

    public void Restore(BinaryReader reader, IStateSerializer<TKey> keySerializer, Func<TKey, bool> owns, Action<long>? onNewTime)
    {
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var time = reader.ReadInt64();
            var key = keySerializer.Read(reader);
            var start = reader.ReadInt64();
            if (owns(key) && Add(time, new WindowKey<TKey>(key, start)))
            {
                onNewTime?.Invoke(time);
            }
        }
    }
}

/// <summary>The window context handed to window functions; one per operator, refilled before each call.</summary>
internal sealed class WindowContextImpl<TWindow>(Func<long> watermark, Func<long> processingTime, Runtime.IOutputProvider sides) : WindowContext<TWindow>
{
    public TWindow Current { get; set; } = default!;

    public long Timestamp { get; set; }

    public override TWindow Window => Current;

    public override long CurrentWatermark => watermark();

    public override long CurrentProcessingTime => processingTime();

    public override void Output<T>(OutputTag<T> tag, T value) => sides.Side(tag).Collect(value, Timestamp);
}
