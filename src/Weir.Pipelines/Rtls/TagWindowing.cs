using System.Globalization;

namespace Weir.Pipelines.Rtls;

/// <summary>How readings are grouped into windows and solved.</summary>
/// <param name="Size">Readings (distinct anchors, unless in compatibility mode) per window; the original used 3.</param>
/// <param name="Compatibility">
/// The original's count window: the next <paramref name="Size"/> readings by arrival; a repeated anchor yields the
/// error row <c>{"tagid":"err","x":-1,"y":-1,...}</c> (once: the original's bogus second row is not reproduced);
/// a zero determinant yields (0.1, 0.1); only the three-anchor closed form.
/// </param>
/// <param name="MaxSpreadMs">Readings in one window lie within this span of event time; older ones expire.</param>
/// <param name="MinimumGeometry">Below this |sin| between baselines, three anchors are solved by least squares.</param>
internal sealed record TagWindowOptions(int Size = 3, bool Compatibility = false, long MaxSpreadMs = 5_000, double MinimumGeometry = Trilateration.DefaultMinimumGeometry)
{
    public void Validate()
    {
        if (Size < 3)
        {
            throw new ArgumentException($"window size {Size}: trilateration needs at least 3 anchors");
        }

        if (Compatibility && Size != 3)
        {
            throw new ArgumentException($"window size {Size}: the compatibility mode is the original's three-anchor formula (size 3)");
        }

        if (MaxSpreadMs <= 0)
        {
            throw new ArgumentException("the window spread must be positive");
        }
    }
}

/// <summary>
/// Feeds one tag's readings into its window and solves full windows. Engine-independent: the job keeps one
/// <see cref="TagWindow"/> per tag in keyed state and calls this for every reading and event-time timer.
/// </summary>
internal sealed class TagWindowing
{
    private readonly TagWindowOptions _options;
    private readonly List<TagReading> _evicted = [];
    private AnchorRange[] _ranges;

    public TagWindowing(TagWindowOptions options)
    {
        options.Validate();
        _options = options;
        _ranges = new AnchorRange[options.Size];
    }

    public TagWindowOptions Options => _options;

    public TagWindow NewWindow() => new(_options.Size);

    public void Add(TagWindow window, in TagReading reading, AnchorMap anchors, WindowResults results)
    {
        if (!anchors.TryGet(reading.AnchorId, out _))
        {
            results.Rejected.Add(new(reading, $"unknown anchor '{reading.AnchorId}'; known anchors: {Known(anchors)}"));
            return;
        }

        if (_options.Compatibility)
        {
            AddCompatible(window, reading, anchors, results);
            return;
        }

        // Expire what is too old to be combined with this reading (or this reading, when it is the stale one).
        var newest = reading.TimestampMs;
        foreach (var held in window.Readings)
        {
            newest = Math.Max(newest, held.TimestampMs);
        }

        var cutoff = newest - _options.MaxSpreadMs;
        if (reading.TimestampMs < cutoff)
        {
            results.Rejected.Add(new(reading, Stale(reading, newest)));
            return;
        }

        Expire(window, cutoff, results);
        var index = window.IndexOfAnchor(reading.AnchorId);
        if (index >= 0)
        {
            results.Duplicates++;
            if (reading.TimestampMs >= window.Readings[index].TimestampMs)
            {
                window.ReplaceAt(index, reading);
            }
        }
        else
        {
            window.Add(reading);
        }

        if (window.Count >= _options.Size)
        {
            Fire(window, anchors, results);
        }
    }

    /// <summary>Readings older than <paramref name="cutoffMs"/> can no longer be completed: they expire.</summary>
    /// <remarks>The job calls this from an event-time timer with <c>watermark - MaxSpreadMs</c>.</remarks>
    public void Expire(TagWindow window, long cutoffMs, WindowResults results)
    {
        _evicted.Clear();
        window.EvictOlderThan(cutoffMs, _evicted);
        foreach (var reading in _evicted)
        {
            results.Rejected.Add(new(reading, Incomplete(reading)));
        }
    }

    /// <summary>End of input: whatever is still open cannot be completed.</summary>
    public void Flush(TagWindow window, WindowResults results) => Expire(window, long.MaxValue, results);

    private void AddCompatible(TagWindow window, in TagReading reading, AnchorMap anchors, WindowResults results)
    {
        window.Add(reading);
        if (window.Count < 3)
        {
            return;
        }

        var rows = window.Readings;
        var timestamp = Math.Max(rows[0].TimestampMs, Math.Max(rows[1].TimestampMs, rows[2].TimestampMs));
        if (rows[0].AnchorId == rows[1].AnchorId || rows[0].AnchorId == rows[2].AnchorId || rows[1].AnchorId == rows[2].AnchorId)
        {
            results.Positions.Add(TagPosition.ErrorRow(reading.TagId, timestamp));
            window.Clear();
            return;
        }

        for (var i = 0; i < 3; i++)
        {
            if (!anchors.TryGet(rows[i].AnchorId, out var anchor))
            {
                RejectAll(window, results, $"anchor '{rows[i].AnchorId}' was removed while the window was open");
                return;
            }

            _ranges[i] = new AnchorRange(anchor, rows[i].Distance);
        }

        var first = rows[0];
        var p = Trilateration.TryClosedForm(_ranges[0], _ranges[1], _ranges[2], out var solved) ? solved : new Point2(0.1, 0.1);
        results.Positions.Add(new TagPosition(first.TagId, p.X, p.Y, first.Detached, first.BatteryLow, timestamp, SolveMethod.ClosedForm, 3));
        window.Clear();
    }

    private void Fire(TagWindow window, AnchorMap anchors, WindowResults results)
    {
        var rows = window.Readings;
        if (_ranges.Length < rows.Length)
        {
            _ranges = new AnchorRange[rows.Length];
        }

        var newest = rows[0];
        for (var i = 0; i < rows.Length; i++)
        {
            if (!anchors.TryGet(rows[i].AnchorId, out var anchor))
            {
                RejectAll(window, results, $"anchor '{rows[i].AnchorId}' was removed while the window was open");
                return;
            }

            _ranges[i] = new AnchorRange(anchor, rows[i].Distance);
            if (rows[i].TimestampMs >= newest.TimestampMs)
            {
                newest = rows[i];
            }
        }

        var result = Trilateration.Solve(_ranges.AsSpan(0, rows.Length), _options.MinimumGeometry);
        if (!result.Solved)
        {
            RejectAll(window, results, $"degenerate window for tag '{newest.TagId}' (anchors {AnchorList(rows)}): {result.Failure}");
            return;
        }

        // Flags come from the newest report: they describe the tag now (the original took the first row's).
        results.Positions.Add(new TagPosition(newest.TagId, result.Position.X, result.Position.Y, newest.Detached, newest.BatteryLow, newest.TimestampMs, result.Method, rows.Length));
        window.Clear();
    }

    private static void RejectAll(TagWindow window, WindowResults results, string reason)
    {
        foreach (var reading in window.Readings)
        {
            results.Rejected.Add(new(reading, reason));
        }

        window.Clear();
    }

    private string Stale(in TagReading reading, long newestMs) => string.Create(CultureInfo.InvariantCulture,
        $"stale reading: {newestMs - reading.TimestampMs} ms older than the newest reading of tag '{reading.TagId}' (window spread {_options.MaxSpreadMs} ms)");

    private string Incomplete(in TagReading reading) => string.Create(CultureInfo.InvariantCulture,
        $"incomplete window: tag '{reading.TagId}' did not hear {_options.Size} distinct anchors within {_options.MaxSpreadMs} ms of this reading from '{reading.AnchorId}'");

    private static string AnchorList(ReadOnlySpan<TagReading> rows)
    {
        var ids = new string[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            ids[i] = rows[i].AnchorId;
        }

        return string.Join(", ", ids);
    }

    private static string Known(AnchorMap anchors) =>
        anchors.Count == 0 ? "(none)" : string.Join(", ", anchors.Ids.Order(StringComparer.Ordinal).Take(20)) + (anchors.Count > 20 ? ", ..." : "");
}
