namespace Weir.Pipelines.Factory;

/// <summary>Configuration section "Factory:Report".</summary>
internal sealed class FactoryReportOptions
{
    /// <summary>Folder with the metrics/ and workorder/ tables; default data/factory/database.</summary>
    public string? Database { get; set; }

    /// <summary>Folder for report runs; default data/factory/reports.</summary>
    public string? Output { get; set; }

    /// <summary>Hours either side of a work order within which a metric reading counts (the original: one day).</summary>
    public double WindowHours { get; set; } = 24;
}
