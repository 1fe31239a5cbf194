namespace Weir.Pipelines.Fingerprint;

/// <summary>One sensor's summary over one window: the original's <c>compute_stats</c> result.</summary>
internal readonly record struct SensorStatistics(double Min, double Max, double Median, double Mean, double StdDev);
