using Weir.Pipelines.Lpbf.Formats;

namespace Weir.Pipelines.Lpbf.Kernels;

/// <summary>
/// Everything computed for one batch: the result the challenger scores (Q1 + Q3) and, when the window was full,
/// Q2's outlier count and top-5 ranking (what the original middleware published on <c>saturated-rank</c>).
/// </summary>
internal sealed record TileOutcome(QueryResult Result, int Layer, bool WindowFull, int OutlierCount, IReadOnlyList<RankedOutlier> Top5);
