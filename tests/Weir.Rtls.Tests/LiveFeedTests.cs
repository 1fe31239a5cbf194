using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Pipelines.Rtls;
using Weir.Services.Http;
using Weir.Services.Metrics;
using Weir.Services.Rtls;
using Weir.Testing;

namespace Weir.Rtls.Tests;

/// <summary>The live feed in the Weir HTTP host, fed from out_data/out_alive through the broker, read by real clients.</summary>
public sealed class LiveFeedTests : IAsyncLifetime
{
    private EmbeddedBroker _broker = null!;
    private IProducer<byte[], byte[]> _producer = null!;
    private RtlsFeedConsumer _consumer = null!;
    private PrometheusCollector _metrics = null!;
    private WeirHttpHost _host = null!;

    public async Task InitializeAsync()
    {
        _broker = await EmbeddedBroker.StartAsync();
        _producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = _broker.BootstrapServers, LingerMs = 0 }).Build();
        await Produce("out_data", """{"tagid":"T0","x":0,"y":0,"detached":false,"battery_low":false}"""); // creates the topics
        await Produce("out_alive", """{"anchorid":"A0","alive":true,"last_seen":0}""");
        var hub = new RtlsFeedHub();
        _consumer = new RtlsFeedConsumer(_broker.BootstrapServers, "out_data", "out_alive", hub, NullLogger.Instance);
        await _consumer.Ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _metrics = new PrometheusCollector();
        var registry = new AnchorRegistry(AnchorMap.Default);
        _host = await WeirHttpHost.StartAsync(new HttpOptions { Listen = "127.0.0.1:0" }, NullLoggerFactory.Instance,
            [new RtlsFeedModule(hub, () => registry.Current)], _metrics, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _metrics.Dispose();
        await _consumer.DisposeAsync();
        _producer.Dispose();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task A_browser_subscribed_to_one_tag_gets_its_positions_and_the_anchor_alerts_as_server_sent_events()
    {
        using var http = new HttpClient { BaseAddress = _host.Address, Timeout = Timeout.InfiniteTimeSpan };
        using var response = await http.GetAsync(new Uri("/rtls/events?tag=T1", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var lines = new List<string>();
        var reading = Task.Run(async () =>
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        });

        await Eventually.HoldsAsync(() => Text(lines).Contains("event: anchors", StringComparison.Ordinal), TimeSpan.FromSeconds(10), () => Text(lines));
        await Produce("out_data", """{"tagid":"T2","x":9,"y":9,"detached":false,"battery_low":false}""");
        await Produce("out_data", """{"tagid":"T1","x":1.5,"y":0.5,"detached":true,"battery_low":false}""");
        await Produce("out_alive", """{"anchorid":"A2","alive":false,"last_seen":1700000020}""");

        await Eventually.HoldsAsync(() => Text(lines).Contains("\"anchorid\":\"A2\"", StringComparison.Ordinal), TimeSpan.FromSeconds(30), () => Text(lines));
        var text = Text(lines);
        Assert.Contains("event: position\ndata: {\"tagid\":\"T1\",\"x\":1.5,\"y\":0.5,\"detached\":true,\"battery_low\":false}\n", text, StringComparison.Ordinal);
        Assert.Contains("event: alive\ndata: {\"anchorid\":\"A2\",\"alive\":false,\"last_seen\":1700000020}\n", text, StringComparison.Ordinal);
        Assert.Contains("event: anchors\ndata: {  \"A0\": [    2,    0  ],", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"tagid\":\"T2\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_map_page_shows_live_tags_and_a_dead_anchor_in_headless_chromium()
    {
        await using var browser = await HeadlessChromium.OpenAsync(new Uri(_host.Address, "/rtls"), TimeSpan.FromSeconds(60));
        await Eventually.HoldsAsync(async () => await browser.EvaluateAsync("document.getElementById('status').textContent") == "live",
            TimeSpan.FromSeconds(30), () => "the page did not connect to /rtls/events");

        await Produce("out_data", """{"tagid":"DECA000000000007","x":1.25,"y":1.5,"detached":true,"battery_low":false}""");
        await Produce("out_alive", """{"anchorid":"A2","alive":false,"last_seen":1700000020}""");

        var rows = "";
        await Eventually.HoldsAsync(async () =>
        {
            rows = await browser.EvaluateAsync("document.getElementById('tags').innerHTML + document.getElementById('anchors').innerHTML");
            return rows.Contains("row-a-A2", StringComparison.Ordinal) && rows.Contains("DECA000000000007", StringComparison.Ordinal) && rows.Contains(">dead<", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), () => rows);
        Assert.Contains("<tr id=\"row-DECA000000000007\" class=\"detached\"><td>DECA000000000007</td><td>1.25</td><td>1.50</td><td>detached </td></tr>", rows, StringComparison.Ordinal);
        Assert.Contains("<tr id=\"row-a-A2\" class=\"dead\"><td>A2</td><td>2</td><td>3</td><td>dead</td></tr>", rows, StringComparison.Ordinal);
        Assert.Contains("<td>A0</td><td>2</td><td>0</td><td>alive</td>", rows, StringComparison.Ordinal);
        var painted = await browser.EvaluateAsync("document.getElementById('map').getContext('2d').getImageData(0, 0, 640, 640).data.some(v => v !== 0)");
        Assert.Equal("true", painted);
    }

    private static string Text(List<string> lines)
    {
        lock (lines)
        {
            return string.Join('\n', lines) + "\n";
        }
    }

    private Task Produce(string topic, string json) =>
        _producer.ProduceAsync(topic, new Message<byte[], byte[]> { Key = [], Value = Encoding.UTF8.GetBytes(json) });
}
