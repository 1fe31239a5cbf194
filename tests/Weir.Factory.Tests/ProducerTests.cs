using System.Text;
using System.Text.Json;
using Weir.Pipelines.Factory;
using Weir.Services.Factory;
using Weir.Testing;

namespace Weir.Factory.Tests;

public sealed class ProducerTests
{
    [Fact]
    public async Task Each_stream_lands_in_its_topic_once_keyed_by_its_field_and_byte_for_byte()
    {
        using var data = new TempDirectory("factory-producer");
        FactoryDataGenerator.WriteFiles(data.Combine("source"), new FactoryDataShape { Cycles = 12 });
        var sources = StreamSourceFiles.Load(data.Combine("source"));
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        await using var api = await FactoryStreamingApi.StartAsync(sources, new FactoryApiOptions { Listen = "127.0.0.1:0", Delay = 0 },
            FactoryKafka.Logs, TimeProvider.System, CancellationToken.None);

        var results = await FactoryProducer.RunAsync(new FactoryProducerOptions { Api = api.Address.ToString() }, FactoryKafka.Options(broker.BootstrapServers),
            data.Combine("state"), FactoryKafka.Logs, TimeProvider.System, CancellationToken.None);

        foreach (var (name, topic, key) in new[] { ("metrics", "metrics", "id"), ("workorder", "workorder", "product") })
        {
            var lines = sources[name].Lines.Select(l => Encoding.UTF8.GetString(l).TrimEnd('\n')).ToList();
            var records = FactoryKafka.ReadAll(broker.BootstrapServers, topic);
            var result = results.Single(r => r.Topic == topic);
            Assert.Equal(lines.Count, result.Produced);
            Assert.Equal(lines.Count, result.Position);

            var bySeq = records.ToDictionary(r => long.Parse(FactoryKafka.Header(r, StreamProducer.SeqHeader), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(lines.Count, records.Count);
            Assert.Equal(Enumerable.Range(0, lines.Count).Select(i => (long)i), bySeq.Keys.Order());
            for (var i = 0; i < lines.Count; i++)
            {
                var record = bySeq[i];
                Assert.Equal(lines[i], Encoding.UTF8.GetString(record.Message.Value!));
                using var json = JsonDocument.Parse(lines[i]);
                Assert.Equal(json.RootElement.GetProperty(key).GetRawText(), Encoding.UTF8.GetString(record.Message.Key!));
                Assert.Equal("/stream_data_" + name, FactoryKafka.Header(record, StreamProducer.StreamHeader));
            }

            // One key, one partition, the one kafka-python (the original's client) picks among the three created up front.
            var partitionOfKey = records.GroupBy(r => Encoding.UTF8.GetString(r.Message.Key!))
                .ToDictionary(g => g.Key, g => Assert.Single(g.Select(r => r.Partition.Value).Distinct()));
            var keys = partitionOfKey.Keys.Order(StringComparer.Ordinal).ToList();
            var python = await Python.RunAsync(
                "import sys\nfrom kafka.partitioner.default import DefaultPartitioner\n" +
                "for k in sys.stdin.read().split():\n    print(k, DefaultPartitioner.__call__(k.encode(), [0, 1, 2], [0, 1, 2]))",
                string.Join(" ", keys));
            Assert.Equal(string.Concat(keys.Select(k => $"{k} {partitionOfKey[k]}\n")), python);
        }

        Assert.True(File.Exists(new ProducerProgressStore(data.Combine("state")).PathFor("/stream_data_metrics", "metrics")));
    }

    [Fact]
    public async Task A_missing_topic_is_refused_by_name_when_creation_is_off()
    {
        using var data = new TempDirectory("factory-producer");
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);

        var error = await Assert.ThrowsAsync<TopicSetupException>(() => FactoryProducer.RunAsync(
            new FactoryProducerOptions { Api = "http://127.0.0.1:1" }, FactoryKafka.Options(broker.BootstrapServers, create: false),
            data.Combine("state"), FactoryKafka.Logs, TimeProvider.System, CancellationToken.None));

        Assert.Contains("topics 'metrics', 'workorder' do not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("weir topics create metrics --partitions 3", error.Message, StringComparison.Ordinal);
    }
}

public sealed class ProducerResumeTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)] // the original Flask app ignores ?offset: the producer skips what it already sent
    public async Task A_dropped_stream_is_resumed_where_it_stopped_without_repeating_a_record(bool serverHonoursOffset)
    {
        using var data = new TempDirectory("factory-resume");
        FactoryDataGenerator.WriteFiles(data.Combine("source"), new FactoryDataShape { Cycles = 40 });
        var sources = StreamSourceFiles.Load(data.Combine("source"));
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        await using var server = new FlakyStreamServer(sources, dropAfter: 150, drops: 4, honourOffset: serverHonoursOffset);
        await server.StartAsync();

        var results = await FactoryProducer.RunAsync(
            new FactoryProducerOptions { Api = server.Address.ToString(), MaxBackoff = 0.2, Streams = [new() { Endpoint = "stream_data_metrics", Topic = "metrics", Key = "id" }] },
            FactoryKafka.Options(broker.BootstrapServers), data.Combine("state"), FactoryKafka.Logs, TimeProvider.System, CancellationToken.None);

        var lines = sources["metrics"].Lines.Count;
        var result = Assert.Single(results);
        Assert.Equal(4, result.Reconnects);
        Assert.Equal(lines, result.Produced);
        AssertExactlyOnce(FactoryKafka.ReadAll(broker.BootstrapServers, "metrics"), lines);
        Assert.Equal(5, server.RequestedOffsets.Count);
        Assert.Equal(server.RequestedOffsets.Order(), server.RequestedOffsets); // each reconnection asks for a later record
        // A server that honours ?offset moves on with every reconnection; one that replays from the start cuts at the same place.
        Assert.True(server.RequestedOffsets[^1] >= (serverHonoursOffset ? 400 : 100), string.Join(",", server.RequestedOffsets));
    }

    [Fact]
    public async Task A_restarted_producer_finds_what_reached_the_topic_after_its_last_save_and_does_not_send_it_again()
    {
        using var data = new TempDirectory("factory-resume");
        FactoryDataGenerator.WriteFiles(data.Combine("source"), new FactoryDataShape { Cycles = 30 });
        var sources = StreamSourceFiles.Load(data.Combine("source"));
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        var stream = new FactoryStreamOptions { Endpoint = "stream_data_metrics", Topic = "metrics", Key = "id" };
        var lines = sources["metrics"].Lines.Count;
        var store = new ProducerProgressStore(data.Combine("state"));
        var statePath = store.PathFor("/stream_data_metrics", "metrics");

        // First run: the stream breaks after 300 records and the server then stays down; the producer is stopped.
        await using (var server = new FlakyStreamServer(sources, dropAfter: 300, drops: 1, honourOffset: true))
        {
            await server.StartAsync();
            using var stop = new CancellationTokenSource();
            var run = FactoryProducer.RunAsync(
                new FactoryProducerOptions { Api = server.Address.ToString(), MaxBackoff = 0.2, Streams = [stream] },
                FactoryKafka.Options(broker.BootstrapServers), data.Combine("state"), FactoryKafka.Logs, TimeProvider.System, stop.Token);
            await Eventually.HoldsAsync(() => server.RequestedOffsets.Count >= 1 && File.Exists(statePath), TimeSpan.FromSeconds(30), () => "the producer never started");
            var initialState = await File.ReadAllTextAsync(statePath); // saved before the first record: "nothing sent yet"
            server.Unavailable = true;
            await Eventually.HoldsAsync(() => server.RequestedOffsets.Count >= 3, TimeSpan.FromSeconds(30), () => $"{server.RequestedOffsets.Count} requests");
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

            // A crash right after the records were acknowledged but before any progress was saved: the file still says 0.
            await File.WriteAllTextAsync(statePath, initialState);
        }

        Assert.InRange(FactoryKafka.ReadAll(broker.BootstrapServers, "metrics").Count, 1, 300);

        await using var api = await FactoryStreamingApi.StartAsync(sources, new FactoryApiOptions { Listen = "127.0.0.1:0", Delay = 0 },
            FactoryKafka.Logs, TimeProvider.System, CancellationToken.None);
        var results = await FactoryProducer.RunAsync(new FactoryProducerOptions { Api = api.Address.ToString(), Streams = [stream] },
            FactoryKafka.Options(broker.BootstrapServers), data.Combine("state"), FactoryKafka.Logs, TimeProvider.System, CancellationToken.None);

        var result = Assert.Single(results);
        Assert.True(result.AlreadyInTopic > 0, "the second run found records of the first in the topic");
        Assert.Equal(lines, result.AlreadyInTopic + result.Produced);
        AssertExactlyOnce(FactoryKafka.ReadAll(broker.BootstrapServers, "metrics"), lines);

        // A third run has nothing left to do.
        var again = Assert.Single(await FactoryProducer.RunAsync(new FactoryProducerOptions { Api = api.Address.ToString(), Streams = [stream] },
            FactoryKafka.Options(broker.BootstrapServers), data.Combine("state"), FactoryKafka.Logs, TimeProvider.System, CancellationToken.None));
        Assert.Equal(0, again.Produced);
        Assert.Equal(lines, again.Position);
        AssertExactlyOnce(FactoryKafka.ReadAll(broker.BootstrapServers, "metrics"), lines);
    }

    private static void AssertExactlyOnce(List<Confluent.Kafka.ConsumeResult<byte[]?, byte[]?>> records, int lines)
    {
        var seqs = records.Select(r => long.Parse(FactoryKafka.Header(r, StreamProducer.SeqHeader), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var duplicates = seqs.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"records sent twice: {string.Join(",", duplicates.Take(20))}");
        Assert.Equal(Enumerable.Range(0, lines).Select(i => (long)i), seqs.Order());
    }
}
