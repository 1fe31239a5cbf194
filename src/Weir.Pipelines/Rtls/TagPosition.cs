namespace Weir.Pipelines.Rtls;

/// <summary>
/// One solved window: the row the original wrote to <c>out_data</c> (tagid, x, y, detached, battery_low) plus
/// what Weir knows about it (event time of the newest reading, solver, anchors used) for metrics and the feed.
/// </summary>
internal readonly record struct TagPosition(
    string TagId,
    double X,
    double Y,
    bool Detached,
    bool BatteryLow,
    long TimestampMs,
    SolveMethod Method,
    int Anchors,
    bool IsErrorRow = false)
{
    /// <summary>
    /// The original's row for a window with a repeated anchor (compatibility mode only): written with tagid "err",
    /// x = y = -1 and both flags false; <see cref="TagId"/> keeps the window's tag for the record key.
    /// </summary>
    public static TagPosition ErrorRow(string tagId, long timestampMs) => new(tagId, -1.0, -1.0, false, false, timestampMs, SolveMethod.ClosedForm, 0, true);
}
