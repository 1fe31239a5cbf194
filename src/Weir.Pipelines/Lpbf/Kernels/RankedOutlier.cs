namespace Weir.Pipelines.Lpbf.Kernels;

/// <summary>One entry of Q2's per-window ranking: position (x = row, y = column) and deviation.</summary>
internal readonly record struct RankedOutlier(int X, int Y, double Deviation);
