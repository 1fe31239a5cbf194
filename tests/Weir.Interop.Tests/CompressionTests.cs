using System.Text;
using Confluent.Kafka;
using Weir.Testing;

namespace Weir.Interop.Tests;

/// <summary>Every codec librdkafka has, through Confluent.Kafka: records come back identical and batches are stored as produced.</summary>
public sealed class CompressionTests
{
    public static TheoryData<CompressionType, int> Codecs() => new()
    {
        { CompressionType.None, 0 },
        { CompressionType.Gzip, 1 },
        { CompressionType.Snappy, 2 },
        { CompressionType.Lz4, 3 },
        { CompressionType.Zstd, 4 },
    };

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Compressed_batches_pass_through_untouched_and_decode_identically(CompressionType codec, int attributeCodec)
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var topic = $"codec-{codec}".ToLowerInvariant();
        var sent = new List<Message<byte[], byte[]>>();
        var random = new Random(42);
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            CompressionType = codec,
            LingerMs = 20,
            Acks = Acks.All,
        }).Build())
        {
            for (var i = 0; i < 2000; i++)
            {
                // Repetitive text (so codecs really compress) with some random bytes.
                var value = Encoding.UTF8.GetBytes($"sensor-{i % 10} temperature={20 + (i % 7)}.5 status=OK ");
                var noise = new byte[i % 13];
                random.NextBytes(noise);
                var message = new Message<byte[], byte[]>
                {
                    Key = i % 5 == 0 ? null! : Encoding.UTF8.GetBytes($"key-{i}"),
                    Value = [.. value, .. noise],
                    Timestamp = new Timestamp(1_700_000_000_000 + (i * 3), TimestampType.CreateTime),
                    Headers = i % 2 == 0 ? [] : new Headers { { "trace", Encoding.UTF8.GetBytes($"t{i}") }, { "empty", [] } },
                };
                sent.Add(message);
                producer.Produce(new TopicPartition(topic, 0), message);
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "codec-check",
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        for (var i = 0; i < sent.Count; i++)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(30));
            Assert.NotNull(result);
            Assert.Equal(i, result.Offset.Value);
            Assert.Equal(sent[i].Key, result.Message.Key);
            Assert.Equal(sent[i].Value, result.Message.Value);
            Assert.Equal(sent[i].Timestamp.UnixTimestampMs, result.Message.Timestamp.UnixTimestampMs);
            Assert.Equal(
                sent[i].Headers.Select(h => (h.Key, Convert.ToHexString(h.GetValueBytes()))),
                result.Message.Headers.Select(h => (h.Key, Convert.ToHexString(h.GetValueBytes()))));
        }

        // Stored as produced: librdkafka's codec, except batches it left uncompressed because compressing did not
        // make them smaller (its documented behaviour for tiny batches).
        var stored = StoredBatches.Codecs(broker.DataDirectory, topic, 0);
        Assert.Contains(attributeCodec, stored);
        Assert.All(stored, c => Assert.True(c == attributeCodec || c == 0, $"stored codec {c}"));
    }
}
