using Weir.Cli.Hosting;
using Weir.Services.Http;
using Weir.Services.Metrics;

namespace Weir.Cli.Up;

/// <summary>The Weir HTTP host inside `weir up`: dashboard index, /metrics and the modules other parts add.</summary>
internal sealed class HttpComponent(WeirContext context, IReadOnlyList<IEndpointModule> modules) : UpComponent
{
    // Created with the component, before anything starts, so that every metric recorded from then on is seen.
    private readonly PrometheusCollector _metrics = new();
    private WeirHttpHost? _host;

    public override string Name => "http";

    public override Task Completion => _host?.Completion ?? base.Completion;

    public override async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var options = context.Bind<HttpOptions>("Http");
        _host = await WeirHttpHost.StartAsync(options, context.LoggerFactory, modules, _metrics, cancellationToken).ConfigureAwait(false);
        return $"{_host.Address} (dashboard; metrics at {new Uri(_host.Address, "/metrics")})";
    }

    public override async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        _metrics.Dispose();
    }
}
