using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Weir.Services.Hosting;
using Weir.Services.Metrics;

namespace Weir.Services.Http;

/// <summary>
/// The Weir HTTP host of a process: an index page at "/", Prometheus metrics at "/metrics" and whatever
/// <see cref="IEndpointModule"/>s the composition root adds (jobs API, live feeds).
/// </summary>
internal sealed class WeirHttpHost : IAsyncDisposable
{
    private readonly WebService _service;

    private WeirHttpHost(WebService service) => _service = service;

    public Uri Address => _service.Address;

    public Task Completion => _service.Completion;

    /// <param name="metrics">
    /// The process's metric collector. Create it when the process starts, before the parts that record metrics:
    /// counters recorded before a listener exists are not seen by it.
    /// </param>
    public static async Task<WeirHttpHost> StartAsync(
        HttpOptions options,
        ILoggerFactory loggerFactory,
        IReadOnlyList<IEndpointModule> modules,
        PrometheusCollector metrics,
        CancellationToken cancellationToken)
    {
        var service = await WebService.StartAsync(
            "weir-http",
            options.Listen,
            loggerFactory,
            services => services.AddSingleton(metrics),
            app =>
            {
                app.MapGet("/metrics", () => Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
                app.MapGet("/", () => Results.Content(IndexPage(modules), "text/html; charset=utf-8"));
                foreach (var module in modules)
                {
                    module.Map(app);
                }
            },
            cancellationToken).ConfigureAwait(false);
        return new WeirHttpHost(service);
    }

    public ValueTask DisposeAsync() => _service.DisposeAsync();

    private static string IndexPage(IReadOnlyList<IEndpointModule> modules)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Weir</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}li{margin:.3rem 0}</style></head><body>")
            .Append("<h1>Weir</h1><ul>")
            .Append("<li><a href=\"/metrics\">/metrics</a>: Prometheus metrics of this process</li>");
        foreach (var (path, description) in modules.SelectMany(m => m.Links))
        {
            html.Append("<li><a href=\"").Append(WebUtility.HtmlEncode(path)).Append("\">").Append(WebUtility.HtmlEncode(path))
                .Append("</a>: ").Append(WebUtility.HtmlEncode(description)).Append("</li>");
        }

        return html.Append("</ul></body></html>").ToString();
    }
}
