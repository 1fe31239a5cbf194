using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Services.Http;
using Weir.Services.Metrics;

namespace Weir.Services.Tests;

public sealed class WeirHttpHostTests
{
    [Fact]
    public async Task Serves_metrics_the_index_and_module_routes_on_a_free_port()
    {
        using var meter = new Meter("Weir.Tests.Host." + Guid.NewGuid().ToString("N"));
        using var collector = new PrometheusCollector(m => m == meter);
        meter.CreateCounter<long>("weir_host_test_total").Add(42);
        await using var host = await WeirHttpHost.StartAsync(
            new HttpOptions { Listen = "127.0.0.1:0" }, NullLoggerFactory.Instance, [new HelloModule()], collector, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = host.Address };

        Assert.NotEqual(0, host.Address.Port);
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("weir_host_test_total 42", metrics, StringComparison.Ordinal);
        var index = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("href=\"/hello\"", index, StringComparison.Ordinal);
        Assert.Equal("hello", await http.GetStringAsync(new Uri("/hello", UriKind.Relative)));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/nothing-here", UriKind.Relative))).StatusCode);
    }

    private sealed class HelloModule : IEndpointModule
    {
        public IEnumerable<(string Path, string Description)> Links => [("/hello", "a test route")];

        public void Map(WebApplication app) => app.MapGet("/hello", () => Results.Text("hello"));
    }
}
