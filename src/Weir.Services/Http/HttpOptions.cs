namespace Weir.Services.Http;

/// <summary>Configuration section "Http": the Weir HTTP host (dashboard, /metrics, /api/jobs, live feeds).</summary>
internal sealed class HttpOptions
{
    /// <summary>host:port to listen on; port 0 picks a free port.</summary>
    public string Listen { get; set; } = "127.0.0.1:8080";
}
