namespace Weir.Pipelines.Rtls;

/// <summary>
/// The open count window of one tag. In the default mode it holds at most one reading per anchor (a newer
/// report from the same anchor replaces the older one) and fires when it holds <c>size</c> distinct anchors.
/// In compatibility mode it is the original's count window: the next <c>size</c> readings by arrival, whatever
/// anchors they come from.
/// </summary>
internal sealed class TagWindow
{
    private TagReading[] _readings;

    public TagWindow(int size) => _readings = new TagReading[size];

    public int Count { get; private set; }

    public ReadOnlySpan<TagReading> Readings => _readings.AsSpan(0, Count);

    /// <summary>The oldest event time in the window, or long.MaxValue when empty.</summary>
    public long OldestMs
    {
        get
        {
            var oldest = long.MaxValue;
            foreach (var reading in Readings)
            {
                oldest = Math.Min(oldest, reading.TimestampMs);
            }

            return oldest;
        }
    }

    public void Add(in TagReading reading)
    {
        if (Count == _readings.Length)
        {
            Array.Resize(ref _readings, _readings.Length * 2);
        }

        _readings[Count++] = reading;
    }

    public int IndexOfAnchor(string anchorId)
    {
        for (var i = 0; i < Count; i++)
        {
            if (string.Equals(_readings[i].AnchorId, anchorId, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    public void ReplaceAt(int index, in TagReading reading) => _readings[index] = reading;

    /// <summary>Removes readings older than <paramref name="cutoffMs"/>, appending them to <paramref name="evicted"/>.</summary>
    public void EvictOlderThan(long cutoffMs, List<TagReading> evicted)
    {
        var kept = 0;
        for (var i = 0; i < Count; i++)
        {
            if (_readings[i].TimestampMs < cutoffMs)
            {
                evicted.Add(_readings[i]);
            }
            else
            {
                _readings[kept++] = _readings[i];
            }
        }

        Array.Clear(_readings, kept, Count - kept);
        Count = kept;
    }

    public void Clear()
    {
        Array.Clear(_readings, 0, Count);
        Count = 0;
    }
}
