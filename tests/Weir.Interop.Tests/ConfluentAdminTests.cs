using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Weir.Testing;

namespace Weir.Interop.Tests;

/// <summary>
/// Topic administration, offset lookups and retention through Confluent.Kafka (librdkafka 2.16): CreateTopics,
/// DescribeConfigs, Metadata, DeleteTopics, ListOffsets (earliest, latest, by timestamp), topic metadata and
/// data across a restart, and retention configured per topic deleting whole segments under a live broker.
/// </summary>
public sealed class ConfluentAdminTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Admin_creates_describes_and_deletes_topics_and_topics_survive_a_restart()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();

        await admin.CreateTopicsAsync(
        [
            new TopicSpecification
            {
                Name = "orders",
                NumPartitions = 3,
                ReplicationFactor = 1,
                Configs = new Dictionary<string, string> { ["retention.ms"] = "3600000", ["max.message.bytes"] = "200000" },
            },
        ]);

        var existing = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([new TopicSpecification { Name = "orders", NumPartitions = 1 }]));
        Assert.Equal(ErrorCode.TopicAlreadyExists, existing.Results.Single().Error.Code);
        var badConfig = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync(
            [new TopicSpecification { Name = "bad", NumPartitions = 1, Configs = new Dictionary<string, string> { ["no.such.setting"] = "1" } }]));
        Assert.Equal(ErrorCode.InvalidConfig, badConfig.Results.Single().Error.Code);
        var badPartitions = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([new TopicSpecification { Name = "bad", NumPartitions = 0 }]));
        Assert.Equal(ErrorCode.InvalidPartitions, badPartitions.Results.Single().Error.Code);

        // Validate-only creates nothing.
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "dry-run", NumPartitions = 2 }], new CreateTopicsOptions { ValidateOnly = true });
        Assert.DoesNotContain(admin.GetMetadata(Timeout).Topics, t => t.Topic == "dry-run");

        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, Acks = Acks.All }).Build())
        {
            for (var p = 0; p < 3; p++)
            {
                for (var i = 0; i < 10 * (p + 1); i++)
                {
                    producer.Produce(new TopicPartition("orders", p), new Message<string, string> { Key = $"k{i}", Value = $"p{p}-{i}" });
                }
            }

            Assert.Equal(0, producer.Flush(Timeout));
        }

        await AssertOrdersTopic(admin, broker);
        await broker.RestartAsync();
        using var afterRestart = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await AssertOrdersTopic(afterRestart, broker);

        await afterRestart.DeleteTopicsAsync(["orders"]);
        await Eventually.HoldsAsync(() => afterRestart.GetMetadata(Timeout).Topics.All(t => t.Topic != "orders"), Timeout, () => "orders still listed after DeleteTopics");
        Assert.False(Directory.Exists(Path.Combine(broker.DataDirectory, "topics", "orders")), "the deleted topic's files are still on disk");
        var unknown = await Assert.ThrowsAsync<DeleteTopicsException>(() => afterRestart.DeleteTopicsAsync(["orders"]));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, unknown.Results.Single().Error.Code);

        // A deleted topic stays deleted across a restart.
        await broker.RestartAsync();
        using var third = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        Assert.DoesNotContain(third.GetMetadata(Timeout).Topics, t => t.Topic == "orders" && t.Error.Code == ErrorCode.NoError);
    }

    [Fact]
    public async Task What_one_node_cannot_do_is_refused_with_the_protocol_error()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var replicated = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([new TopicSpecification { Name = "replicated", NumPartitions = 1, ReplicationFactor = 3 }]));
        Assert.Equal(ErrorCode.InvalidReplicationFactor, replicated.Results.Single().Error.Code);
        var badName = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([new TopicSpecification { Name = "no spaces/allowed", NumPartitions = 1 }]));
        Assert.Equal(ErrorCode.TopicException, badName.Results.Single().Error.Code);

        // A transactional producer cannot start (no transactions on this broker), and learns it at once rather than
        // after its timeout.
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, TransactionalId = "tx-1" }).Build();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var refused = Assert.ThrowsAny<KafkaException>(() => producer.InitTransactions(TimeSpan.FromSeconds(60)));
        Assert.Equal(ErrorCode.TransactionalIdAuthorizationFailed, refused.Error.Code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(50), $"InitTransactions failed only after {clock.Elapsed.TotalSeconds:0} s");
    }

    [Fact]
    public async Task ListOffsets_finds_earliest_latest_and_the_first_record_at_a_timestamp()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        const long t0 = 1_700_000_000_000;
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 20 }).Build())
        {
            // Several records per batch, so a lookup has to find a record inside a batch, not only a batch.
            for (var i = 0; i < 100; i++)
            {
                producer.Produce("timed", new Message<Null, string> { Value = $"v{i}", Timestamp = new Timestamp(t0 + (i * 1000), TimestampType.CreateTime) });
            }

            Assert.Equal(0, producer.Flush(Timeout));
        }

        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "lookup", EnableAutoCommit = false }).Build();
        var partition = new TopicPartition("timed", 0);
        var watermarks = consumer.QueryWatermarkOffsets(partition, Timeout);
        Assert.Equal(0, watermarks.Low.Value);
        Assert.Equal(100, watermarks.High.Value);

        long Lookup(long timestamp) =>
            consumer.OffsetsForTimes([new TopicPartitionTimestamp(partition, new Timestamp(timestamp, TimestampType.CreateTime))], Timeout).Single().Offset.Value;

        Assert.Equal(0, Lookup(t0 - 5000));
        Assert.Equal(37, Lookup(t0 + 37_000));
        Assert.Equal(51, Lookup(t0 + 50_500));
        Assert.Equal(99, Lookup(t0 + 99_000));
        Assert.Equal(Offset.End.Value, Lookup(t0 + 99_001));
    }

    [Fact]
    public async Task Retention_set_at_topic_creation_deletes_whole_old_segments_while_clients_read_on()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.RetentionCheckIntervalMs = 100);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await admin.CreateTopicsAsync(
        [
            new TopicSpecification
            {
                Name = "short",
                NumPartitions = 1,
                Configs = new Dictionary<string, string> { ["segment.bytes"] = "20000", ["retention.bytes"] = "60000" },
            },
        ]);

        const int count = 2000;
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 0, BatchNumMessages = 20 }).Build())
        {
            for (var i = 0; i < count; i++)
            {
                producer.Produce("short", new Message<Null, string> { Value = $"{i:D6}-" + new string('r', 100) });
            }

            Assert.Equal(0, producer.Flush(Timeout));
        }

        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "tail", EnableAutoCommit = false }).Build();
        var partition = new TopicPartition("short", 0);
        var logDirectory = Path.Combine(broker.DataDirectory, "topics", "short", "0");
        var segments = new SortedDictionary<long, long>();
        WatermarkOffsets watermarks = new(0, 0);

        // Retention is done when removing the oldest segment would take the partition below retention.bytes.
        // Whole segments went: the log starts at the first remaining segment's base offset.
        await Eventually.HoldsAsync(
            () =>
            {
                segments = new SortedDictionary<long, long>(Directory.GetFiles(logDirectory, "*.log").ToDictionary(
                    f => long.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture),
                    f => new FileInfo(f).Length));
                watermarks = consumer.QueryWatermarkOffsets(partition, Timeout);
                var total = segments.Values.Sum();
                return watermarks.Low.Value > 0 && total - segments.First().Value < 60_000 && watermarks.Low.Value == segments.First().Key;
            },
            Timeout,
            () => $"retention left offsets {watermarks.Low}..{watermarks.High}, segments (base: bytes) {string.Join(", ", segments.Select(s => $"{s.Key}: {s.Value}"))}");
        Assert.Equal(count, watermarks.High.Value);
        Assert.True(segments.Values.Sum() >= 60_000 - 20_000, "retention deleted more than retention.bytes asks");

        // What is left is intact.
        consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
        for (var expected = watermarks.Low.Value; expected < count; expected++)
        {
            var result = consumer.Consume(Timeout);
            Assert.NotNull(result);
            Assert.Equal(expected, result.Offset.Value);
            Assert.StartsWith($"{expected:D6}-", result.Message.Value, StringComparison.Ordinal);
        }
    }

    private static async Task AssertOrdersTopic(IAdminClient admin, EmbeddedBroker broker)
    {
        var topic = admin.GetMetadata("orders", Timeout).Topics.Single();
        Assert.Equal(ErrorCode.NoError, topic.Error.Code);
        Assert.Equal([0, 1, 2], topic.Partitions.Select(p => p.PartitionId).Order());

        var described = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = "orders" }]);
        var entries = described.Single().Entries;
        Assert.Equal("3600000", entries["retention.ms"].Value);
        Assert.False(entries["retention.ms"].IsDefault);
        Assert.Equal("200000", entries["max.message.bytes"].Value);
        Assert.True(entries["segment.bytes"].IsDefault);

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "orders-check", EnableAutoCommit = false }).Build();
        for (var p = 0; p < 3; p++)
        {
            var partition = new TopicPartition("orders", p);
            Assert.Equal(10 * (p + 1), consumer.QueryWatermarkOffsets(partition, Timeout).High.Value);
            consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
            for (var i = 0; i < 10 * (p + 1); i++)
            {
                var result = consumer.Consume(Timeout);
                Assert.NotNull(result);
                Assert.Equal($"k{i}", result.Message.Key);
                Assert.Equal($"p{p}-{i}", result.Message.Value);
            }
        }
    }
}
