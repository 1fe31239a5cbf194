using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePack;
using Microsoft.Extensions.Time.Testing;
using Weir.Pipelines.Lpbf.Formats;
using Weir.Pipelines.Lpbf.Imaging;
using Weir.Pipelines.Lpbf.Kernels;
using Weir.Services.Challenger;
using Weir.Testing;

namespace Weir.Lpbf.Tests;

public sealed class ChallengerApiTests
{
    private static readonly string[] EndKeys = ["count", "missing", "throughput", "latency_mean", "latency_min", "latency_max", "latency_p99"];

    [Fact]
    public async Task Create_answers_a_json_string_ulid()
    {
        await using var host = await EmulatorHost.StartAsync();
        var response = await host.Http.PostAsJsonAsync("/api/create", new { apitoken = "anything", name = "n", test = false, max_batches = (int?)null });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Matches("^\"[0-9A-HJKMNP-TV-Z]{26}\"$", text);
    }

    [Fact]
    public async Task A_whole_run_serves_msgpack_batches_in_order_then_404_and_reports_metrics()
    {
        await using var host = await EmulatorHost.StartAsync();
        var id = await host.CreateAndStartAsync(maxBatches: 20);
        for (var i = 0; i < 20; i++)
        {
            var response = await host.Http.GetAsync($"/api/next_batch/{id}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/msgpack", response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadAsByteArrayAsync();
            var map = MessagePackSerializer.Deserialize<Dictionary<string, object>>(body);
            Assert.Equal(["batch_id", "print_id", "tile_id", "layer", "tif"], map.Keys);
            Assert.Equal(i, Convert.ToInt32(map["batch_id"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("SI266220200309225433", map["print_id"]);
            Assert.Equal(i % 16, Convert.ToInt32(map["tile_id"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(i / 16, Convert.ToInt32(map["layer"], System.Globalization.CultureInfo.InvariantCulture));
            var tiff = Assert.IsType<byte[]>(map["tif"]);
            var tile = new Tile();
            TiffTileDecoder.Decode(tiff, tile);
            Assert.Equal((500, 500), (tile.Rows, tile.Cols));

            if (i is 3 or 7)
            {
                continue; // two batches left without a result
            }

            var result = ResultCodec.Encode(new QueryResult(i, "SI266220200309225433", i % 16, 0, []));
            var posted = await host.Http.PostAsync($"/api/result/0/{id}/{i}", new ByteArrayContent(result));
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            using var ack = JsonDocument.Parse(await posted.Content.ReadAsStringAsync());
            Assert.Equal(JsonValueKind.String, ack.RootElement.GetProperty("timestamp").ValueKind);
        }

        var end = await host.Http.GetAsync($"/api/next_batch/{id}");
        Assert.Equal(HttpStatusCode.NotFound, end.StatusCode);
        Assert.Empty(await end.Content.ReadAsByteArrayAsync());

        var metrics = await EndAsync(host, id);
        Assert.Equal(20, metrics.GetProperty("count").GetInt32());
        Assert.Equal(2, metrics.GetProperty("missing").GetInt32());
        Assert.True(metrics.GetProperty("throughput").GetDouble() > 0);
        foreach (var key in EndKeys[3..])
        {
            Assert.True(DurationText.Parse(metrics.GetProperty(key).GetString()!) > 0, key);
        }
    }

    [Fact]
    public async Task Results_are_accepted_with_any_content_type_and_the_first_one_counts()
    {
        await using var host = await EmulatorHost.StartAsync();
        var id = await host.CreateAndStartAsync();
        string?[] types = [null, "application/msgpack", "application/x-msgpack", "text/plain"];
        for (var i = 0; i < types.Length; i++)
        {
            await host.Http.GetAsync($"/api/next_batch/{id}");
            var content = new ByteArrayContent(ResultCodec.Encode(new QueryResult(i, "p", i, i, [])));
            content.Headers.ContentType = types[i] is null ? null : new MediaTypeHeaderValue(types[i]!);
            Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsync($"/api/result/0/{id}/{i}", content)).StatusCode);
        }

        var second = ResultCodec.Encode(new QueryResult(0, "p", 0, 999, []));
        Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsync($"/api/result/0/{id}/0", new ByteArrayContent(second))).StatusCode);
        var stored = await host.Http.GetAsync($"/api/get_result/0/{id}/0");
        Assert.Equal("application/octet-stream", stored.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, ResultCodec.Decode(await stored.Content.ReadAsByteArrayAsync()).Saturated);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync($"/api/get_result/0/{id}/9")).StatusCode);
    }

    [Fact]
    public async Task Errors_have_the_statuses_a_client_can_act_on()
    {
        await using var host = await EmulatorHost.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/api/next_batch/01JZ0G2P2S70PD3HGE1S71SBZY")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.PostAsync("/api/start/nope", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.PostAsync("/api/end/nope", null)).StatusCode);

        var id = await host.CreateAsync(new { apitoken = "t", name = "n", test = true });
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await host.Http.GetAsync($"/api/next_batch/{id}")).StatusCode);
        await host.Http.PostAsync($"/api/start/{id}", null);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.PostAsync($"/api/result/0/{id}/0", new ByteArrayContent([0x80]))).StatusCode);
        await host.Http.GetAsync($"/api/next_batch/{id}");
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.PostAsync($"/api/result/1/{id}/0", new ByteArrayContent([0x80]))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.PostAsync($"/api/result/0/{id}/x", new ByteArrayContent([0x80]))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.PostAsync("/api/create", new StringContent("not json"))).StatusCode);

        await EndAsync(host, id);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await host.Http.PostAsync($"/api/result/0/{id}/0", new ByteArrayContent([0x80]))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync($"/api/next_batch/{id}")).StatusCode);
    }

    [Fact]
    public async Task Max_batches_larger_than_the_data_set_serves_the_whole_data_set()
    {
        await using var host = await EmulatorHost.StartAsync(o => o.Layers = 1);
        var id = await host.CreateAndStartAsync(maxBatches: 1000);
        var served = 0;
        while ((await host.Http.GetAsync($"/api/next_batch/{id}")).StatusCode == HttpStatusCode.OK)
        {
            served++;
        }

        Assert.Equal(16, served);
    }

    [Fact]
    public async Task Latency_runs_from_serving_a_batch_to_receiving_its_result()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-03-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var host = await EmulatorHost.StartAsync(time: time);
        var id = await host.CreateAndStartAsync();
        for (var i = 0; i < 4; i++)
        {
            await host.Http.GetAsync($"/api/next_batch/{id}");
        }

        time.Advance(TimeSpan.FromMilliseconds(5));
        await host.Http.PostAsync($"/api/result/0/{id}/0", new ByteArrayContent([0x80]));
        time.Advance(TimeSpan.FromTicks(12_345_670));
        await host.Http.PostAsync($"/api/result/0/{id}/1", new ByteArrayContent([0x80]));
        await host.Http.PostAsync($"/api/result/0/{id}/2", new ByteArrayContent([0x80]));
        time.Advance(TimeSpan.FromSeconds(1));
        var metrics = await EndAsync(host, id);
        Assert.Equal(4, metrics.GetProperty("count").GetInt32());
        Assert.Equal(1, metrics.GetProperty("missing").GetInt32());
        Assert.Equal("5ms", metrics.GetProperty("latency_min").GetString());
        Assert.Equal("1s239ms567µs", metrics.GetProperty("latency_max").GetString());
        Assert.Equal("1s239ms567µs", metrics.GetProperty("latency_p99").GetString());
        Assert.Equal((5_000_000 + 2 * 1_239_567_000L) / 3, ToNs(metrics, "latency_mean"));
        Assert.Equal(4 / 2.239567, metrics.GetProperty("throughput").GetDouble(), 6);
    }

    [Fact]
    public async Task Runs_survive_a_restart_and_a_running_benchmark_continues_where_it_was()
    {
        using var folder = new TempDirectory("challenger-restart");
        string id;
        await using (var first = await EmulatorHost.StartAsync(dataDir: folder.Path))
        {
            id = await first.CreateAndStartAsync(maxBatches: 8);
            for (var i = 0; i < 5; i++)
            {
                await first.Http.GetAsync($"/api/next_batch/{id}");
                if (i < 3)
                {
                    await first.Http.PostAsync($"/api/result/0/{id}/{i}", new ByteArrayContent(ResultCodec.Encode(new QueryResult(i, "p", i, i, []))));
                }
            }
        }

        await using var second = await EmulatorHost.StartAsync(dataDir: folder.Path);
        var history = await second.Http.GetFromJsonAsync<JsonElement>("/api/history");
        var run = Assert.Single(history.EnumerateArray());
        Assert.Equal(id, run.GetProperty("bench_id").GetString());
        Assert.Equal("running", run.GetProperty("state").GetString());

        var next = MessagePackSerializer.Deserialize<Dictionary<string, object>>(await second.Http.GetByteArrayAsync($"/api/next_batch/{id}"));
        Assert.Equal(5, Convert.ToInt32(next["batch_id"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, ResultCodec.Decode(await second.Http.GetByteArrayAsync($"/api/get_result/0/{id}/2")).Saturated);
        var metrics = await EndAsync(second, id);
        Assert.Equal(6, metrics.GetProperty("count").GetInt32());
        Assert.Equal(3, metrics.GetProperty("missing").GetInt32());
    }

    [Fact]
    public async Task History_lists_runs_with_throughput_and_latency_strings()
    {
        await using var host = await EmulatorHost.StartAsync();
        var id = await host.CreateAndStartAsync(maxBatches: 2);
        await host.Http.GetAsync($"/api/next_batch/{id}");
        await host.Http.PostAsync($"/api/result/0/{id}/0", new ByteArrayContent([0x80]));
        await EndAsync(host, id);
        var history = await host.Http.GetFromJsonAsync<JsonElement>("/api/history");
        var run = Assert.Single(history.EnumerateArray());
        Assert.Equal(id, run.GetProperty("bench_id").GetString());
        Assert.Equal(JsonValueKind.Number, run.GetProperty("throughput").ValueKind);
        Assert.True(DurationText.Parse(run.GetProperty("latency_mean").GetString()!) > 0);
        Assert.True(DurationText.Parse(run.GetProperty("latency_max").GetString()!) > 0);
    }

    [Fact]
    public async Task Plot_is_an_svg_of_the_tile_with_expected_and_submitted_clusters()
    {
        await using var host = await EmulatorHost.StartAsync();
        var id = await host.CreateAndStartAsync();
        for (var i = 0; i <= 35; i++)
        {
            await host.Http.GetAsync($"/api/next_batch/{id}");
        }

        var result = ResultCodec.Encode(new QueryResult(35, "SI266220200309225433", 3, 10, [new Centroid(100, 200, 30)]));
        await host.Http.PostAsync($"/api/result/0/{id}/35", new ByteArrayContent(result));
        var plot = await host.Http.GetAsync($"/api/plot/0/{id}/35");
        Assert.Equal("image/svg+xml", plot.Content.Headers.ContentType?.MediaType);
        var svg = await plot.Content.ReadAsStringAsync();
        Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
        Assert.Contains("data:image/png;base64,", svg, StringComparison.Ordinal);
        Assert.Contains("submitted: saturated 10, 1 clusters", svg, StringComparison.Ordinal);
        Assert.Contains("<circle cx=\"200\" cy=\"100\"", svg, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.GetAsync($"/api/plot/1/{id}/35")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync($"/api/plot/0/{id}/40")).StatusCode);
        Assert.Contains(id, await host.Http.GetStringAsync("/dash"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Online_rules_are_the_platforms_stricter_ones()
    {
        await using var host = await EmulatorHost.StartAsync(o =>
        {
            o.OnlineRules = true;
            o.Tokens = ["group-4-token"];
        });
        var extra = await host.Http.PostAsJsonAsync("/api/create", new { apitoken = "group-4-token", name = "n", test = true, max_batches = 5 });
        Assert.Equal(HttpStatusCode.BadRequest, extra.StatusCode);
        Assert.Equal("JSON should contain apitoken, name, and a test flag", await extra.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.PostAsJsonAsync("/api/create", new { apitoken = "group-4-token", test = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Http.PostAsJsonAsync("/api/create", new { apitoken = "wrong", name = "n", test = true })).StatusCode);

        var id = await host.CreateAsync(new { apitoken = "group-4-token", name = "n", test = false });
        Assert.Matches("^[0-9a-f]{24}$", id);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await host.Http.PostAsJsonAsync("/api/create", new { apitoken = "group-4-token", name = "again", test = false })).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await host.Http.GetAsync($"/api/next_batch/{id}")).StatusCode);

        var start = await host.Http.PostAsync($"/api/start/{id}", null);
        using var started = JsonDocument.Parse(await start.Content.ReadAsStringAsync());
        Assert.Equal(id, started.RootElement.GetProperty("bench_id").GetString());
        Assert.True(started.RootElement.GetProperty("start_time").GetInt64() > 0);

        await host.Http.GetAsync($"/api/next_batch/{id}");
        var posted = await host.Http.PostAsync($"/api/result/0/{id}/0", new StringContent("not even msgpack"));
        using var ack = JsonDocument.Parse(await posted.Content.ReadAsStringAsync());
        Assert.Equal(0, ack.RootElement.GetProperty("batch_number").GetInt32());

        var end = await host.Http.PostAsync($"/api/end/{id}", null);
        Assert.Equal(HttpStatusCode.OK, end.StatusCode);
        Assert.Empty(await end.Content.ReadAsStringAsync());
        Assert.Matches("^[0-9a-f]{24}$", await host.CreateAsync(new { apitoken = "group-4-token", name = "next", test = true }));
    }

    [Fact]
    public async Task Under_online_rules_history_holds_the_platforms_metrics_of_an_ended_run()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-03-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var host = await EmulatorHost.StartAsync(o => o.OnlineRules = true, time: time);
        var id = await host.CreateAsync(new { apitoken = "polimi-deib", name = "n", test = true });
        await host.Http.PostAsync($"/api/start/{id}", null);
        for (var i = 0; i < 6; i++)
        {
            await host.Http.GetAsync($"/api/next_batch/{id}");
        }

        // Results for batches 0-4 after 10, 20, 30, 40 and 50 ms; batch 5 never gets one.
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            await host.Http.PostAsync($"/api/result/0/{id}/{i}", new ByteArrayContent([0x80]));
        }

        var running = Assert.Single((await host.Http.GetFromJsonAsync<JsonElement>("/api/history")).EnumerateArray());
        Assert.False(running.TryGetProperty("platform", out _)); // the platform computes them at /end

        time.Advance(TimeSpan.FromMilliseconds(2_450)); // 2.5 s after /start: the platform counts 2 whole seconds
        await host.Http.PostAsync($"/api/end/{id}", null);
        var platform = Assert.Single((await host.Http.GetFromJsonAsync<JsonElement>("/api/history")).EnumerateArray()).GetProperty("platform");
        var q0 = platform.GetProperty("q0");
        Assert.Equal(
            new long[] { 10, 20, 30, 40, 50, 50 },
            new[] { "min", "p25", "p50", "p75", "p90", "max" }.Select(name => q0.GetProperty(name).GetInt64() / 1_000_000).ToArray());
        Assert.Equal(5, q0.GetProperty("count").GetInt32());
        Assert.Equal(2.5, q0.GetProperty("throughput").GetDouble());
        Assert.Equal(2_500_000_000, platform.GetProperty("runtime_ns").GetInt64());
        Assert.Equal(2, platform.GetProperty("runtime_sec").GetInt64());
    }

    [Fact]
    public async Task A_folder_of_the_users_own_tiles_is_served_in_layer_then_tile_order()
    {
        using var tiles = new TempDirectory("tiles");
        var random = new Random(5);
        foreach (var (layer, tile) in new[] { (1, 0), (0, 1), (0, 0), (1, 1), (10, 0) })
        {
            var pixels = OutlierDetectorTests.RandomTile(random, 20, 30);
            pixels[0] = (ushort)(layer * 100 + tile);
            File.WriteAllBytes(Path.Combine(tiles.Path, $"L{layer}-T{tile}.tif"), TiffTileEncoder.Encode(pixels, 20, 30));
        }

        File.WriteAllText(Path.Combine(tiles.Path, "README.txt"), "not a tile");
        await using var host = await EmulatorHost.StartAsync(o =>
        {
            o.Tiles = tiles.Path;
            o.PrintId = "my-print";
        });
        var id = await host.CreateAndStartAsync();
        var order = new List<(int Layer, int Tile, int Marker)>();
        for (var i = 0; i < 5; i++)
        {
            var batch = BatchCodec.Decode(await host.Http.GetByteArrayAsync($"/api/next_batch/{id}"));
            Assert.Equal("my-print", batch.PrintId);
            Assert.Equal(i, batch.BatchId);
            var tile = new Tile();
            TiffTileDecoder.Decode(batch.Tiff, tile);
            order.Add((batch.Layer, batch.TileId, tile[0, 0]));
        }

        Assert.Equal([(0, 0, 0), (0, 1, 1), (1, 0, 100), (1, 1, 101), (10, 0, 1000)], order);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync($"/api/next_batch/{id}")).StatusCode);
    }

    private static long ToNs(JsonElement metrics, string key) => DurationText.Parse(metrics.GetProperty(key).GetString()!);

    private static async Task<JsonElement> EndAsync(EmulatorHost host, string id)
    {
        var response = await host.Http.PostAsync($"/api/end/{id}", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.Equal(["0"], root.EnumerateObject().Select(p => p.Name));
        var metrics = root.GetProperty("0");
        Assert.Equal(EndKeys, metrics.EnumerateObject().Select(p => p.Name));
        return metrics.Clone();
    }
}
