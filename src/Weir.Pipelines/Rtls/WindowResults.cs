namespace Weir.Pipelines.Rtls;

/// <summary>A reading the windowing could not use, and why (it goes to the dead-letter topic).</summary>
internal readonly record struct RejectedReading(TagReading Reading, string Reason);

/// <summary>What feeding readings into tag windows produced; reused across calls (clear it after draining).</summary>
internal sealed class WindowResults
{
    public List<TagPosition> Positions { get; } = [];

    public List<RejectedReading> Rejected { get; } = [];

    /// <summary>Readings that replaced an earlier report of the same anchor in an open window.</summary>
    public long Duplicates { get; set; }

    public void Clear()
    {
        Positions.Clear();
        Rejected.Clear();
        Duplicates = 0;
    }
}
