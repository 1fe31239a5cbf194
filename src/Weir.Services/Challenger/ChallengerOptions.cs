using Weir.Pipelines.Lpbf;

namespace Weir.Services.Challenger;

/// <summary>Configuration section "Challenger": the Local Challenger emulator (<c>weir challenger</c>, <c>weir up</c>).</summary>
internal sealed class ChallengerOptions
{
    /// <summary>host:port to listen on; port 0 picks a free port. Clients use http://HOST:PORT (the API is under /api).</summary>
    public string Listen { get; set; } = "127.0.0.1:8866";

    /// <summary>Where benchmark runs and the generated data set are kept; default &lt;data root&gt;/challenger.</summary>
    public string? DataDir { get; set; }

    /// <summary>A folder of the user's own tiles (L&lt;layer&gt;-T&lt;tile&gt;.tif); when unset, a print is generated.</summary>
    public string? Tiles { get; set; }

    /// <summary>The print id of the batches (generated print or tile folder).</summary>
    public string PrintId { get; set; } = LpbfConstants.DefaultPrintId;

    /// <summary>Layers of the generated print (16 tiles each).</summary>
    public int Layers { get; set; } = LpbfConstants.Layers;

    /// <summary>Seed of the generated print.</summary>
    public int Seed { get; set; } = 2025;

    /// <summary>
    /// Write the whole generated print to its cache folder in the background when the emulator starts (once per data
    /// folder; 3600 tiles take about 40 s of CPU and 1.4 GB). Without it each tile is generated when it is first
    /// served, and the first benchmark after a fresh start measures the generator (about 12 ms of CPU per tile, most
    /// of it compressing) more than the client. Ignored with <see cref="Tiles"/>.
    /// </summary>
    public bool GenerateAtStart { get; set; } = true;

    /// <summary>Apply the online platform's stricter rules (create body, tokens, one active run per token, 412s).</summary>
    public bool OnlineRules { get; set; }

    /// <summary>With online rules: the accepted API tokens (empty = any token).</summary>
    public string[] Tokens { get; set; } = [];
}
