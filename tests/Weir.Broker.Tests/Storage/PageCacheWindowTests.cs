using System.Buffers.Binary;
using Confluent.Kafka;
using Weir.Testing;

namespace Weir.Broker.Tests.Storage;

/// <summary>
/// The broker's page-cache window (<see cref="BrokerOptions.PageCacheWindowBytes"/>) through a real client: what
/// the kernel reports as cached, and that a consumer from the beginning still gets every record.
/// </summary>
public sealed class PageCacheWindowTests
{
    private const int Records = 200;
    private const int ValueBytes = 64 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1L << 20)]
    [InlineData(-1L)]
    public async Task Only_each_partitions_newest_window_stays_cached_and_a_consumer_from_the_start_reads_everything(long window)
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.PageCacheWindowBytes = window);
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, Acks = Acks.All }).Build())
        {
            for (var i = 0; i < Records; i++)
            {
                producer.Produce("cached", new Message<Null, byte[]> { Value = Value(i) });
            }

            Assert.Equal(0, producer.Flush(Timeout));
        }

        var partition = Path.Combine(broker.DataDirectory, "topics", "cached", "0");
        long Resident() => Directory.GetFiles(partition, "*.log").Sum(f => PageCacheResidency.ResidentBytes(f));
        long LogBytes() => Directory.GetFiles(partition, "*.log").Sum(f => new FileInfo(f).Length);
        if (window >= 0)
        {
            await Eventually.HoldsAsync(
                () => Resident() <= window + PageCacheResidency.EdgeSlack,
                Timeout,
                () => $"{Resident()} of {LogBytes()} log bytes still cached, window {window}");
        }
        else
        {
            // Left to the OS, which has no reason to drop a few MiB it has just written.
            await Task.Delay(300);
            Assert.True(Resident() > LogBytes() / 2, $"{Resident()} of {LogBytes()} log bytes cached without a window");
        }

        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "from-the-start",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe("cached");
        for (var i = 0; i < Records; i++)
        {
            var record = consumer.Consume(Timeout) ?? throw new TimeoutException($"record {i} did not arrive");
            Assert.Equal(i, record.Offset.Value);
            Assert.Equal(Value(i), record.Message.Value);
        }
    }

    private static byte[] Value(int index)
    {
        var value = new byte[ValueBytes];
        new Random(index).NextBytes(value);
        BinaryPrimitives.WriteInt32BigEndian(value, index);
        return value;
    }
}
