namespace Weir.Services.Factory;

/// <summary>Configuration section "Factory:Api": the streaming data API.</summary>
internal sealed class FactoryApiOptions
{
    /// <summary>host:port; the original listens on port 5000.</summary>
    public string Listen { get; set; } = "127.0.0.1:5000";

    /// <summary>Folder of JSON files to serve; default data/factory/source under the data root.</summary>
    public string? Source { get; set; }

    /// <summary>Seconds to wait after each record (the original's command-line argument, 0.1 in its compose file).</summary>
    public double Delay { get; set; } = 0.1;

    /// <summary>Write the generated sample files into an empty source folder before serving.</summary>
    public bool Generate { get; set; } = true;
}
