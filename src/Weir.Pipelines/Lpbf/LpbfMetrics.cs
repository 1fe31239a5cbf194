using System.Diagnostics.Metrics;

namespace Weir.Pipelines.Lpbf;

/// <summary>The LPBF job's and the orchestrator's metrics (meter <c>Weir.Pipelines.Lpbf</c>), recorded once per tile.</summary>
internal static class LpbfMetrics
{
    public const string MeterName = "Weir.Pipelines.Lpbf";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> Tiles = Meter.CreateCounter<long>(
        "weir_lpbf_tiles_total", "tiles", "Tiles the job computed Q1 (and Q2/Q3 when the window was full) for");

    public static readonly Counter<long> Outliers = Meter.CreateCounter<long>(
        "weir_lpbf_outliers_total", "pixels", "Q2 outliers found");

    public static readonly Counter<long> Clusters = Meter.CreateCounter<long>(
        "weir_lpbf_clusters_total", "clusters", "Q3 clusters found");

    public static readonly Histogram<double> TileSeconds = Meter.CreateHistogram<double>(
        "weir_lpbf_tile_seconds", "s", "Time to decode one tile and compute Q1, Q2 and Q3");

    public static readonly Counter<long> ResultsPosted = Meter.CreateCounter<long>(
        "weir_lpbf_results_posted_total", "results", "Results the orchestrator posted to the challenger");
}
