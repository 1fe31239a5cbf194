using System.Diagnostics.Metrics;

namespace Weir.Pipelines.Rtls;

/// <summary>The RTLS pipeline's metrics (meter Weir.Pipelines.Rtls), recorded per call, not per record.</summary>
internal static class RtlsMetrics
{
    public static readonly Meter Meter = new("Weir.Pipelines.Rtls");

    public static readonly Counter<long> Positions = Meter.CreateCounter<long>("weir_rtls_positions_total", description: "Positions written to out_data.");

    public static readonly Counter<long> Rejected = Meter.CreateCounter<long>("weir_rtls_rejected_readings_total", description: "Readings sent to the dead letters (late, unknown anchor, degenerate or incomplete window).");

    public static readonly Counter<long> Duplicates = Meter.CreateCounter<long>("weir_rtls_duplicate_reports_total", description: "Reports that replaced an earlier one from the same anchor in an open window.");

    public static readonly Counter<long> LivenessChanges = Meter.CreateCounter<long>("weir_rtls_liveness_changes_total", description: "Anchor dead/alive records written to out_alive.");
}
