using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Connectors.Sql;
using Weir.Pipelines.PlantSync;
using Weir.Services.Hosting;
using Weir.Services.Metrics;
using Weir.Services.PlantImages;

namespace Weir.PlantSync.Tests;

/// <summary>An image API on 127.0.0.1 (any free port) over a store, and an HTTP client pointed at it.</summary>
internal sealed class ImageApiHarness : IAsyncDisposable
{
    private readonly WebService _service;
    private readonly PrometheusCollector _metrics;

    private ImageApiHarness(WebService service, PrometheusCollector metrics, PlantImageStore store)
    {
        _service = service;
        _metrics = metrics;
        Store = store;
        Http = new HttpClient { BaseAddress = service.Address };
    }

    public PlantImageStore Store { get; }

    public HttpClient Http { get; }

    public Uri Address => _service.Address;

    public static async Task<ImageApiHarness> StartAsync(SqlDatabase database, PlantImageSide side, TimeProvider? time = null, string? producerApi = null)
    {
        var store = new PlantImageStore(database, time ?? TimeProvider.System);
        await store.EnsureSchemaAsync(CancellationToken.None);
        var metrics = new PrometheusCollector();
        var service = await PlantImageService.StartAsync("127.0.0.1:0", store, side, producerApi, metrics, NullLoggerFactory.Instance, CancellationToken.None);
        return new ImageApiHarness(service, metrics, store);
    }

    public async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, body, response);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _service.DisposeAsync();
        _metrics.Dispose();
    }
}
