using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Weir.Testing;

namespace Weir.Connectors.Tests.Kafka;

/// <summary>Topics and records on an embedded broker, through Confluent.Kafka.</summary>
internal static class KafkaFixture
{
    public static async Task CreateTopicAsync(EmbeddedBroker broker, string topic, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
    }

    /// <summary>Writes records (partition, key, value, timestamp) and waits until every one is acknowledged.</summary>
    public static async Task ProduceAsync(EmbeddedBroker broker, string topic, IEnumerable<(int Partition, string? Key, string Value, long Timestamp)> records)
    {
        using var producer = new ProducerBuilder<string?, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 5 }).Build();
        var deliveries = new List<Task>();
        foreach (var (partition, key, value, timestamp) in records)
        {
            deliveries.Add(producer.ProduceAsync(
                new TopicPartition(topic, partition),
                new Message<string?, string> { Key = key, Value = value, Timestamp = new Timestamp(timestamp, TimestampType.CreateTime) }));
        }

        await Task.WhenAll(deliveries);
    }

    /// <summary>Reads a topic from the beginning until <paramref name="count"/> records arrived (or the deadline passed).</summary>
    public static List<ConsumeResult<byte[]?, byte[]>> ReadAll(EmbeddedBroker broker, string topic, int partitions, int count, TimeSpan? timeout = null)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            EnableAutoCommit = false,
            GroupId = $"reader-{Guid.NewGuid():N}",
        }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var results = new List<ConsumeResult<byte[]?, byte[]>>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (results.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
            {
                results.Add(result);
            }
        }

        return results;
    }

    public static string Text(byte[]? bytes) => bytes is null ? "" : Encoding.UTF8.GetString(bytes);

    public static string Header(ConsumeResult<byte[]?, byte[]> result, string name) =>
        result.Message.Headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : "";
}
