using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Weir.Testing;

namespace Weir.Broker.Tests.Network;

/// <summary>
/// Fetch responses that send large batches from the page cache (<see cref="BrokerOptions.SendFileMinBatchBytes"/>)
/// read by a real client: every value byte for byte, large and small ones mixed in one response over several
/// partitions, and the bytes really went through sendfile.
/// </summary>
public sealed class SendFileFetchTests
{
    private const int Partitions = 3;
    private const int Records = 36;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(64 * 1024)]
    [InlineData(0)]
    public async Task A_consumer_reads_large_and_small_records_byte_for_byte_across_partitions(int sendFileMinBatchBytes)
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => { o.AutoCreateTopics = false; o.SendFileMinBatchBytes = sendFileMinBatchBytes; });
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "tiles", NumPartitions = Partitions }]);
        }

        long sentFromFile = 0;
        using var listener = new MeterListener();
        var meter = broker.Server.Context!.Metrics.Meter;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "weir.broker.fetched.sendfile.bytes")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref sentFromFile, value));
        listener.Start();

        // One batch per record (each produce awaited), so large and small batches alternate in every partition.
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, Acks = Acks.All, MessageMaxBytes = 1 << 20 }).Build())
        {
            for (var i = 0; i < Records; i++)
            {
                await producer.ProduceAsync(new TopicPartition("tiles", i % Partitions), new Message<Null, byte[]> { Value = Value(i) });
            }
        }

        var largeBytes = Enumerable.Range(0, Records).Where(IsLarge).Sum(i => (long)Value(i).Length);
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "reader",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            FetchMaxBytes = 8 << 20,
            MaxPartitionFetchBytes = 4 << 20,
        }).Build();
        consumer.Subscribe("tiles");
        var seen = new HashSet<int>();
        while (seen.Count < Records)
        {
            var record = consumer.Consume(Timeout) ?? throw new TimeoutException($"{seen.Count} of {Records} records arrived");
            var index = BinaryPrimitives.ReadInt32BigEndian(record.Message.Value);
            Assert.Equal(index % Partitions, record.Partition.Value);
            Assert.Equal(index / Partitions, record.Offset.Value);
            Assert.Equal(Value(index), record.Message.Value);
            Assert.True(seen.Add(index), $"record {index} arrived twice");
        }

        listener.RecordObservableInstruments();
        if (sendFileMinBatchBytes > 0)
        {
            Assert.True(Interlocked.Read(ref sentFromFile) >= largeBytes, $"{sentFromFile} bytes sent from the file, the large values alone are {largeBytes}");
        }
        else
        {
            Assert.Equal(0, Interlocked.Read(ref sentFromFile));
        }
    }

    // Two large records, then a small one: large runs end at small batches as well as at the partition's end.
    private static bool IsLarge(int index) => index % 3 != 2 || index % 2 == 0;

    private static byte[] Value(int index)
    {
        var value = new byte[IsLarge(index) ? 150_000 + index : 40 + index];
        new Random(index).NextBytes(value);
        BinaryPrimitives.WriteInt32BigEndian(value, index);
        return value;
    }
}
