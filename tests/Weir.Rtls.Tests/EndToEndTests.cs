using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Pipelines.Rtls;
using Weir.Testing;
using Xunit.Abstractions;

namespace Weir.Rtls.Tests;

/// <summary>The RTLS pipeline as a user runs it, through Weir's broker: `weir generate rtls`, `weir run rtls`.</summary>
public sealed class EndToEndTests(ITestOutputHelper output)
{
    private const long Start = 1_706_140_800_000;

    [Fact]
    public async Task Simulated_packets_become_positions_near_the_truth_and_a_dead_anchor_is_reported_dead_then_alive()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var data = new TempDirectory("rtls-e2e");
        var bootstrap = broker.BootstrapServers;

        await Weir(["generate", "rtls", "--bootstrap", bootstrap, "--backlog", "4m", "--start", Start.ToString(CultureInfo.InvariantCulture), "--tags", "10",
            "--drop", "0.02", "--duplicate", "0.02", "--reorder", "500ms", "--kill", "A2@60s-150s", "--truth", data.Combine("truth.ndjson")], data);
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = bootstrap }).Build())
        {
            await producer.ProduceAsync("packet_data", new Message<byte[], byte[]> { Key = "protobuf"u8.ToArray(), Value = [0xFF, 0x01] }); // not protobuf
        }

        await Weir(["run", "rtls", "--bootstrap", bootstrap, "--until-end"], data);

        var truth = (await File.ReadAllLinesAsync(data.Combine("truth.ndjson"))).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(t => (t.GetProperty("tagid").GetString()!, t.GetProperty("t").GetInt64()), t => new Point2(t.GetProperty("x").GetDouble(), t.GetProperty("y").GetDouble()));
        var positions = await TopicRecords.ReadAllAsync(bootstrap, "out_data", TimeSpan.FromSeconds(30));
        var errors = positions.Select(p =>
        {
            var (tag, x, y, _, _) = RtlsJson.ParsePosition(p.Value);
            Assert.Equal(tag, p.KeyText);
            return truth[(tag, p.Timestamp)].DistanceTo(new Point2(x, y));
        }).Order().ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{positions.Count} positions; error median {errors[errors.Count / 2]:F3} m, p95 {errors[(int)(errors.Count * 0.95)]:F3} m, max {errors[^1]:F3} m"));
        // 10 tags × 240 steps; with A2 down for 90 s no window completes then.
        Assert.InRange(positions.Count, 10 * 140, 10 * 160);
        Assert.True(errors[(int)(errors.Count * 0.95)] < 0.5);

        var alive = await TopicRecords.ReadAllAsync(bootstrap, "out_alive", TimeSpan.FromSeconds(30));
        Assert.Equal(["A2", "A2"], alive.Select(a => a.KeyText));
        using var dead = JsonDocument.Parse(alive[0].Value!);
        Assert.False(dead.RootElement.GetProperty("alive").GetBoolean());
        Assert.InRange(dead.RootElement.GetProperty("last_seen").GetInt64(), (Start / 1000) + 56, (Start / 1000) + 60);
        using var back = JsonDocument.Parse(alive[1].Value!);
        Assert.True(back.RootElement.GetProperty("alive").GetBoolean());
        Assert.InRange(back.RootElement.GetProperty("last_seen").GetInt64(), (Start / 1000) + 150, (Start / 1000) + 152);

        var dlq = await TopicRecords.ReadAllAsync(bootstrap, "rtls-dlq", TimeSpan.FromSeconds(30));
        Assert.Contains(dlq, d => d.Header("weir.error")!.StartsWith("incomplete window", StringComparison.Ordinal) && d.Header("weir.source.topic") == "packet_data");
        var bad = Assert.Single(dlq, d => d.Header("weir.stage") != "tag-windows");
        Assert.Equal([0xFF, 0x01], bad.Value);
        output.WriteLine($"dead letters: {dlq.Count}; the bad packet: {bad.Header("weir.error")}");
    }

    [Fact]
    public async Task Anchors_set_on_the_compacted_topic_reach_a_running_registry()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var registry = new AnchorRegistry(AnchorMap.Default);
        using var producer = new ProducerBuilder<byte[], byte[]?>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await producer.ProduceAsync("anchors", new Message<byte[], byte[]?> { Key = "A7"u8.ToArray(), Value = "[5, 6.5]"u8.ToArray() });

        await using var follower = new AnchorsTopicFollower(broker.BootstrapServers, "anchors", registry, NullLogger.Instance);
        await follower.StartAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.True(registry.Current.TryGet("A7", out var a7));
        Assert.Equal(new Point2(5, 6.5), a7);

        await producer.ProduceAsync("anchors", new Message<byte[], byte[]?> { Key = "A0"u8.ToArray(), Value = null }); // tombstone
        await producer.ProduceAsync("anchors", new Message<byte[], byte[]?> { Key = "A1"u8.ToArray(), Value = "{\"x\": 1}"u8.ToArray() }); // bad: ignored
        await producer.ProduceAsync("anchors", new Message<byte[], byte[]?> { Key = "A2"u8.ToArray(), Value = "[9, 9]"u8.ToArray() });
        await Eventually.HoldsAsync(() => registry.Current.TryGet("A2", out var a2) && a2 == new Point2(9, 9), TimeSpan.FromSeconds(30), () => registry.Current.ToJson());

        Assert.False(registry.Current.TryGet("A0", out _));
        Assert.True(registry.Current.TryGet("A1", out var a1));
        Assert.Equal(new Point2(0, 2), a1);
    }

    [Fact]
    public void An_anchors_file_is_re_read_when_it_changes_and_a_broken_one_is_ignored()
    {
        using var folder = new TempDirectory("rtls-anchors");
        var path = folder.Combine("anchors.json");
        File.WriteAllText(path, """{"A0": [2, 0], "A1": [0, 2], "A2": [2, 3]}""");
        var registry = new AnchorRegistry(AnchorMap.Load(path));
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var watcher = new AnchorFileWatcher(path, registry, NullLogger.Instance, clock, TimeSpan.FromSeconds(2));

        File.WriteAllText(path, """{"anchors": {"A0": [2, 0], "A1": [0, 2], "A2": [2, 3], "A3": [4, 4]}, "rooms": []}""");
        watcher.Check();
        Assert.Equal(4, registry.Current.Count);

        File.WriteAllText(path, """{"A0": [2, 0""");
        watcher.Check();
        Assert.Equal(4, registry.Current.Count);
        _ = watcher.DisposeAsync();
    }

    private async Task Weir(string[] arguments, TempDirectory data)
    {
        var result = await WeirCli.RunAsync([.. arguments, "--data-root", data.Path], TimeSpan.FromMinutes(3));
        output.WriteLine($"weir {string.Join(' ', arguments.Take(2))}: {result.StandardOutput.Trim()}");
        Assert.True(result.ExitCode == 0, result.Describe());
    }
}
