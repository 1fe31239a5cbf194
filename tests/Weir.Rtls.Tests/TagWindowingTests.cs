using Weir.Pipelines.Rtls;

namespace Weir.Rtls.Tests;

public sealed class TagWindowingTests
{
    private const long T0 = 1_700_000_000_000;
    private static readonly Point2 Truth = new(1.5, 1.5);

    private readonly WindowResults _results = new();

    [Fact]
    public void Three_distinct_anchors_make_one_position()
    {
        var (windowing, window) = Create();

        Add(windowing, window, Reading("A0", T0), Reading("A1", T0 + 10), Reading("A2", T0 + 20));

        var position = Assert.Single(_results.Positions);
        Assert.Equal("T1", position.TagId);
        TrilaterationTests.AssertClose(Truth, new Point2(position.X, position.Y), 1e-6);
        Assert.Equal(T0 + 20, position.TimestampMs);
        Assert.Equal(0, window.Count);
    }

    [Fact]
    public void A_repeated_anchor_replaces_its_earlier_report_instead_of_spoiling_the_window()
    {
        var (windowing, window) = Create();

        Add(windowing, window, Reading("A0", T0, distance: 99), Reading("A0", T0 + 5), Reading("A1", T0 + 10), Reading("A0", T0 + 1), Reading("A2", T0 + 20));

        var position = Assert.Single(_results.Positions);
        TrilaterationTests.AssertClose(Truth, new Point2(position.X, position.Y), 1e-6); // the bad first A0 report was replaced
        Assert.Equal(2, _results.Duplicates); // the newer A0 replaced the first; the older one (T0 + 1) was ignored
        Assert.Empty(_results.Rejected);
    }

    [Fact]
    public void Compatibility_mode_writes_the_original_error_row_once_for_a_repeated_anchor()
    {
        var (windowing, window) = Create(new TagWindowOptions(Compatibility: true));

        Add(windowing, window, Reading("A0", T0), Reading("A0", T0 + 1), Reading("A1", T0 + 2));
        Add(windowing, window, Reading("A0", T0 + 3), Reading("A1", T0 + 4), Reading("A2", T0 + 5));

        Assert.Equal(2, _results.Positions.Count);
        var error = _results.Positions[0];
        Assert.True(error.IsErrorRow);
        Assert.Equal("""{"tagid":"err","x":-1,"y":-1,"detached":false,"battery_low":false}""", System.Text.Encoding.UTF8.GetString(RtlsJson.Position(error)));
        Assert.Equal("T1", error.TagId); // still keyed by the tag
        TrilaterationTests.AssertClose(Truth, new Point2(_results.Positions[1].X, _results.Positions[1].Y), 1e-6);
    }

    [Fact]
    public void Compatibility_mode_writes_the_original_fallback_for_a_zero_determinant()
    {
        var anchors = new AnchorMap([new("L0", new Point2(0, 0)), new("L1", new Point2(1, 0)), new("L2", new Point2(2, 0))]);
        var (windowing, window) = Create(new TagWindowOptions(Compatibility: true));

        foreach (var reading in new[] { Reading("L0", T0, 1), Reading("L1", T0, 1), Reading("L2", T0, 1) })
        {
            windowing.Add(window, reading, anchors, _results);
        }

        var position = Assert.Single(_results.Positions);
        Assert.Equal((0.1, 0.1), (position.X, position.Y));
    }

    [Fact]
    public void Collinear_anchors_are_a_degenerate_window_with_a_reason()
    {
        var anchors = new AnchorMap([new("L0", new Point2(0, 0)), new("L1", new Point2(1, 0)), new("L2", new Point2(2, 0))]);
        var (windowing, window) = Create();

        foreach (var reading in new[] { Reading("L0", T0, 1), Reading("L1", T0, 1), Reading("L2", T0, 1) })
        {
            windowing.Add(window, reading, anchors, _results);
        }

        Assert.Empty(_results.Positions);
        Assert.Equal(3, _results.Rejected.Count);
        Assert.All(_results.Rejected, r => Assert.Contains("degenerate window for tag 'T1' (anchors L0, L1, L2): anchors are collinear", r.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Fewer_than_three_distinct_anchors_never_make_a_position_and_expire_with_a_reason()
    {
        var (windowing, window) = Create(new TagWindowOptions(MaxSpreadMs: 5_000));

        Add(windowing, window, Reading("A0", T0), Reading("A1", T0 + 1_000), Reading("A0", T0 + 2_000), Reading("A1", T0 + 3_000));
        Assert.Empty(_results.Positions);
        Assert.Equal(2, window.Count);

        // Event time passes the spread (what the job's timer does): the open window cannot complete any more.
        windowing.Expire(window, cutoffMs: T0 + 3_001, _results);

        Assert.Empty(_results.Positions);
        Assert.Equal(2, _results.Rejected.Count);
        Assert.All(_results.Rejected, r => Assert.Contains("incomplete window: tag 'T1' did not hear 3 distinct anchors within 5000 ms", r.Reason, StringComparison.Ordinal));
        Assert.Equal(0, window.Count);
    }

    [Fact]
    public void Out_of_order_readings_within_the_spread_are_combined_and_older_ones_are_rejected_as_stale()
    {
        var (windowing, window) = Create(new TagWindowOptions(MaxSpreadMs: 5_000));

        Add(windowing, window, Reading("A2", T0 + 4_000), Reading("A0", T0 + 1_000), Reading("A9", T0), Reading("A1", T0 - 2_000));
        Assert.Empty(_results.Positions);
        Assert.Contains(_results.Rejected, r => r.Reading.AnchorId == "A9" && r.Reason.StartsWith("unknown anchor 'A9'", StringComparison.Ordinal));
        var stale = Assert.Single(_results.Rejected, r => r.Reading.AnchorId == "A1");
        Assert.StartsWith("stale reading: 6000 ms older than the newest reading of tag 'T1'", stale.Reason, StringComparison.Ordinal);

        Add(windowing, window, Reading("A1", T0 + 500));
        var position = Assert.Single(_results.Positions);
        Assert.Equal(T0 + 4_000, position.TimestampMs);
    }

    [Fact]
    public void A_newer_reading_pushes_out_readings_older_than_the_spread()
    {
        var (windowing, window) = Create(new TagWindowOptions(MaxSpreadMs: 5_000));

        Add(windowing, window, Reading("A0", T0), Reading("A1", T0 + 1_000), Reading("A2", T0 + 5_500));

        Assert.Empty(_results.Positions);
        Assert.Equal("A0", Assert.Single(_results.Rejected).Reading.AnchorId);
        Assert.Equal(2, window.Count);
    }

    [Fact]
    public void Anchors_changed_at_run_time_are_used_by_the_next_window()
    {
        var registry = new AnchorRegistry(AnchorMap.Default);
        var (windowing, window) = Create();
        var moved = new Point2(4, 1);

        Add(windowing, window, registry, Reading("A0", T0), Reading("A1", T0), Reading("A2", T0));
        registry.Apply("A3", new Point2(4, 4));                 // a new anchor
        registry.Apply("A0", new Point2(0, 0));                 // an anchor moved
        var now = registry.Current;
        Add(windowing, window, registry,
            Reading("A3", T0 + 10, now.TryGet("A3", out var a3) ? a3.DistanceTo(moved) : 0),
            Reading("A0", T0 + 10, new Point2(0, 0).DistanceTo(moved)),
            Reading("A2", T0 + 10, new Point2(2, 3).DistanceTo(moved)));
        registry.Apply("A1", null);                             // an anchor removed
        Add(windowing, window, registry, Reading("A1", T0 + 20));

        Assert.Equal(2, _results.Positions.Count);
        TrilaterationTests.AssertClose(Truth, new Point2(_results.Positions[0].X, _results.Positions[0].Y), 1e-6);
        TrilaterationTests.AssertClose(moved, new Point2(_results.Positions[1].X, _results.Positions[1].Y), 1e-6);
        Assert.StartsWith("unknown anchor 'A1'", Assert.Single(_results.Rejected).Reason, StringComparison.Ordinal);
        Assert.Equal(3, registry.Version);
    }

    [Fact]
    public void An_anchor_removed_while_its_reading_waits_rejects_the_window()
    {
        var registry = new AnchorRegistry(AnchorMap.Default);
        var (windowing, window) = Create();

        Add(windowing, window, registry, Reading("A0", T0), Reading("A1", T0));
        registry.Apply("A0", null);
        registry.Apply("A3", new Point2(5, 5));
        Add(windowing, window, registry, Reading("A3", T0));

        Assert.Empty(_results.Positions);
        Assert.All(_results.Rejected, r => Assert.Contains("anchor 'A0' was removed while the window was open", r.Reason, StringComparison.Ordinal));
        Assert.Equal(3, _results.Rejected.Count);
    }

    [Fact]
    public void Larger_windows_wait_for_that_many_distinct_anchors_and_use_least_squares()
    {
        var anchors = AnchorMap.Default.With("A3", new Point2(0, 0));
        var (windowing, window) = Create(new TagWindowOptions(Size: 4));

        foreach (var id in new[] { "A0", "A1", "A2" })
        {
            windowing.Add(window, Reading(id, T0, anchors.TryGet(id, out var a) ? a.DistanceTo(Truth) : 0), anchors, _results);
        }

        Assert.Empty(_results.Positions);
        windowing.Add(window, Reading("A3", T0, new Point2(0, 0).DistanceTo(Truth)), anchors, _results);

        var position = Assert.Single(_results.Positions);
        Assert.Equal(SolveMethod.LeastSquares, position.Method);
        Assert.Equal(4, position.Anchors);
        TrilaterationTests.AssertClose(Truth, new Point2(position.X, position.Y), 1e-6);
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new TagWindowing(new TagWindowOptions(Size: 2)));
        Assert.Throws<ArgumentException>(() => new TagWindowing(new TagWindowOptions(Size: 4, Compatibility: true)));
        Assert.Throws<ArgumentException>(() => new TagWindowing(new TagWindowOptions(MaxSpreadMs: 0)));
    }

    private static (TagWindowing, TagWindow) Create(TagWindowOptions? options = null)
    {
        var windowing = new TagWindowing(options ?? new TagWindowOptions());
        return (windowing, windowing.NewWindow());
    }

    private static TagReading Reading(string anchor, long timestamp, double? distance = null) =>
        new("T1", anchor, distance ?? (AnchorMap.Default.TryGet(anchor, out var a) ? a.DistanceTo(Truth) : 1), false, false, timestamp);

    private void Add(TagWindowing windowing, TagWindow window, params TagReading[] readings)
    {
        foreach (var reading in readings)
        {
            windowing.Add(window, reading, AnchorMap.Default, _results);
        }
    }

    private void Add(TagWindowing windowing, TagWindow window, AnchorRegistry registry, params TagReading[] readings)
    {
        foreach (var reading in readings)
        {
            windowing.Add(window, reading, registry.Current, _results);
        }
    }
}
