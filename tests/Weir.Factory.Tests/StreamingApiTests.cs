using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Weir.Pipelines.Factory;
using Weir.Services.Factory;
using Weir.Services.Hosting;
using Weir.Testing;

namespace Weir.Factory.Tests;

public sealed class StreamingApiTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task Streams_each_file_sorted_by_time_as_the_original_Flask_app_writes_it()
    {
        using var folder = new TempDirectory("factory-api");
        FactoryDataGenerator.WriteFiles(folder.Path, new FactoryDataShape { Cycles = 40 });
        await using var api = await StartAsync(folder.Path, delay: 0);

        foreach (var name in new[] { "metrics", "workorder" })
        {
            using var response = await Http.GetAsync(new Uri(api.Address, $"/stream_data_{name}"));
            var body = await response.Content.ReadAsStringAsync();

            // The original: records sorted by time (stable), each sent as json.dumps(record) + "\n".
            var expected = await Python.RunAsync(
                $"import json,sys\nfor r in sorted(json.load(open({PyString(Path.Combine(folder.Path, name + ".json"))})), key=lambda x: x['time']):\n    sys.stdout.write(json.dumps(r) + '\\n')");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(response.Headers.TransferEncodingChunked, "the stream is chunked (no Content-Length)");
            Assert.Equal(expected, body);
        }
    }

    [Fact]
    public async Task Equal_times_keep_their_file_order_and_every_request_replays_from_the_start()
    {
        using var folder = new TempDirectory("factory-api");
        await File.WriteAllTextAsync(folder.Combine("events.json"), """
            [{"time": 30, "n": "c"}, {"time": 10, "n": "a1"}, {"time": 20, "n": "b"}, {"time": 10, "n": "a2"}, {"time": 10.5, "n": "a3"}]
            """);
        await using var api = await StartAsync(folder.Path, delay: 0);
        var url = new Uri(api.Address, "/stream_data_events");

        var bodies = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Http.GetStringAsync(url)));

        const string expected = """
            {"time": 10, "n": "a1"}
            {"time": 10, "n": "a2"}
            {"time": 10.5, "n": "a3"}
            {"time": 20, "n": "b"}
            {"time": 30, "n": "c"}

            """;
        Assert.All(bodies, body => Assert.Equal(expected.ReplaceLineEndings("\n"), body));
    }

    [Fact]
    public async Task Offset_starts_at_the_given_record_and_the_headers_say_where()
    {
        using var folder = new TempDirectory("factory-api");
        await File.WriteAllTextAsync(folder.Combine("w.json"), """[{"time": 3}, {"time": 1}, {"time": 2}]""");
        await using var api = await StartAsync(folder.Path, delay: 0);

        using var middle = await Http.GetAsync(new Uri(api.Address, "/stream_data_w?offset=1"));
        using var past = await Http.GetAsync(new Uri(api.Address, "/stream_data_w?offset=10"));
        using var plain = await Http.GetAsync(new Uri(api.Address, "/stream_data_w"));

        Assert.Equal("{\"time\": 2}\n{\"time\": 3}\n", await middle.Content.ReadAsStringAsync());
        Assert.Equal("1", Header(middle, FactoryStreamingApi.OffsetHeader));
        Assert.Equal("3", Header(middle, FactoryStreamingApi.CountHeader));
        Assert.Equal("", await past.Content.ReadAsStringAsync());
        Assert.Equal("3", Header(past, FactoryStreamingApi.OffsetHeader));
        Assert.Equal("0", Header(plain, FactoryStreamingApi.OffsetHeader));
        Assert.Equal(3, (await plain.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Unknown_stream_is_404_naming_the_streams_there_are()
    {
        using var folder = new TempDirectory("factory-api");
        FactoryDataGenerator.WriteFiles(folder.Path, new FactoryDataShape { Cycles = 2 });
        await using var api = await StartAsync(folder.Path, delay: 0);

        using var response = await Http.GetAsync(new Uri(api.Address, "/stream_data_nope"));
        var index = await Http.GetStringAsync(api.Address);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("/stream_data_metrics", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("\"endpoint\":\"/stream_data_workorder\"", index, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Waits_the_delay_after_each_record_on_the_service_clock()
    {
        using var folder = new TempDirectory("factory-api");
        await File.WriteAllTextAsync(folder.Combine("s.json"), """[{"time": 1}, {"time": 2}, {"time": 3}, {"time": 4}]""");
        var clock = new FakeTimeProvider(new DateTimeOffset(2021, 6, 22, 0, 0, 0, TimeSpan.Zero));
        var start = clock.GetUtcNow();
        await using var api = await StartAsync(folder.Path, delay: 0.1, clock);

        using var response = await Http.GetAsync(new Uri(api.Address, "/stream_data_s"), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var arrivals = new List<(TimeSpan At, string? Line)>();
        var reading = reader.ReadLineAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (arrivals.Count == 0 || arrivals[^1].Line is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the stream stalled after {arrivals.Count} lines");
            if (await Task.WhenAny(reading, Task.Delay(20)) == reading)
            {
                arrivals.Add((clock.GetUtcNow() - start, await reading));
                reading = reader.ReadLineAsync();
            }
            else
            {
                // Nothing arrives until the service's clock has moved on: move it in steps much smaller than the delay.
                clock.Advance(TimeSpan.FromMilliseconds(10));
            }
        }

        Assert.Equal(["{\"time\": 1}", "{\"time\": 2}", "{\"time\": 3}", "{\"time\": 4}", null], arrivals.Select(a => a.Line));
        for (var i = 0; i < arrivals.Count; i++)
        {
            // Record i comes after i delays; the end of the stream after the delay that follows the last record.
            Assert.True(arrivals[i].At >= TimeSpan.FromMilliseconds(100 * i), $"line {i} arrived at {arrivals[i].At.TotalMilliseconds} ms of service time");
        }
    }

    [Fact]
    public async Task A_file_that_cannot_be_sorted_by_time_is_refused_naming_the_file_and_record()
    {
        using var folder = new TempDirectory("factory-api");
        var path = folder.Combine("bad.json");
        await File.WriteAllTextAsync(path, """[{"time": 1}, {"time": "soon"}]""");

        var error = Assert.Throws<InvalidDataException>(() => StreamSourceFiles.Load(folder.Path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("record 1", error.Message, StringComparison.Ordinal);
    }

    private static string PyString(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    private static Task<WebService> StartAsync(string folder, double delay, TimeProvider? clock = null) =>
        FactoryStreamingApi.StartAsync(
            StreamSourceFiles.Load(folder),
            new FactoryApiOptions { Listen = "127.0.0.1:0", Delay = delay },
            NullLoggerFactory.Instance,
            clock ?? TimeProvider.System,
            CancellationToken.None);
}
