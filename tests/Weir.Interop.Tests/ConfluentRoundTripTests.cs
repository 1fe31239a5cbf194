using System.Text;
using Confluent.Kafka;
using Weir.Testing;

namespace Weir.Interop.Tests;

public sealed class ConfluentRoundTripTests
{
    [Fact]
    public async Task Produced_records_come_back_identical_and_in_order()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        const string topic = "roundtrip";
        var sent = new List<Message<string, string>>();
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, Acks = Acks.All }).Build())
        {
            for (var i = 0; i < 1000; i++)
            {
                var message = new Message<string, string>
                {
                    Key = $"key-{i}",
                    Value = $"value-{i}-" + new string('x', i % 50),
                    Timestamp = new Timestamp(1_700_000_000_000 + i, TimestampType.CreateTime),
                    Headers = new Headers { { "h", Encoding.UTF8.GetBytes($"header-{i}") } },
                };
                sent.Add(message);
                producer.Produce(topic, message);
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        var consumerConfig = new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "unused",
            EnableAutoCommit = false,
        };
        using var consumer = new ConsumerBuilder<string, string>(consumerConfig).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        for (var i = 0; i < sent.Count; i++)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(30));
            Assert.NotNull(result);
            Assert.Equal(i, result.Offset.Value);
            Assert.Equal(sent[i].Key, result.Message.Key);
            Assert.Equal(sent[i].Value, result.Message.Value);
            Assert.Equal(sent[i].Timestamp.UnixTimestampMs, result.Message.Timestamp.UnixTimestampMs);
            Assert.Equal($"header-{i}", Encoding.UTF8.GetString(result.Message.Headers.GetLastBytes("h")));
        }
    }
}
