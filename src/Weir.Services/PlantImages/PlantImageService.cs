using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Weir.Pipelines.PlantSync;
using Weir.Services.Hosting;
using Weir.Services.Metrics;

namespace Weir.Services.PlantImages;

/// <summary>Starts an image API (producer or consumer side) with Prometheus metrics at <c>/metrics</c>.</summary>
internal static class PlantImageService
{
    /// <param name="listen">"host:port" (port 0: any free port).</param>
    /// <param name="metrics">The process's collector, created before anything records metrics.</param>
    public static Task<WebService> StartAsync(
        string listen,
        PlantImageStore store,
        PlantImageSide side,
        string? producerApi,
        PrometheusCollector metrics,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var name = side == PlantImageSide.Producer ? "plant-images" : "plant-images-consumer";
        var logger = loggerFactory.CreateLogger($"weir.{name}");
        return WebService.StartAsync(
            name,
            listen,
            loggerFactory,
            null,
            app =>
            {
                app.MapGet("/metrics", () => Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
                PlantImageEndpoints.Map(app, store, side, producerApi, logger);
            },
            cancellationToken);
    }
}
