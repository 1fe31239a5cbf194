using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;
using Weir.Testing;

namespace Weir.Broker.Tests.Network;

/// <summary>
/// Connection behaviour seen from the socket: Fetch long polling (max wait, min bytes) and isolation between
/// connections (a client that stops reading or stops mid-frame must not stall anyone else).
/// </summary>
public sealed class ConnectionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Fetch_waits_for_data_up_to_max_wait_and_answers_as_soon_as_a_record_arrives()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        await CreateTopicAsync(broker, "poll");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(broker.Server.LocalEndPoint);

        // Nothing to read: the answer comes when max wait has passed, empty, with the watermarks.
        var clock = Stopwatch.StartNew();
        await SendAsync(socket, ApiKey.Fetch, 11, 1, FetchAt("poll", 0, maxWaitMs: 400));
        var (correlation, empty) = await ReadFetchResponseAsync(socket, 11);
        clock.Stop();
        Assert.Equal(1, correlation);
        var partition = empty.Topics.Single().Partitions.Single();
        Assert.Equal(Weir.Broker.Protocol.ErrorCode.None, partition.ErrorCode);
        Assert.Equal(0, partition.HighWatermark);
        Assert.Equal(0, partition.Records?.Length ?? 0);
        Assert.True(clock.ElapsedMilliseconds >= 350, $"an empty fetch with max wait 400 ms was answered after {clock.ElapsedMilliseconds} ms");

        // A long max wait: the fetch is parked until a producer writes, then answered with the record.
        clock.Restart();
        await SendAsync(socket, ApiKey.Fetch, 11, 2, FetchAt("poll", 0, maxWaitMs: 60_000));
        await Task.Delay(300);
        Assert.Equal(0, socket.Available);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, Acks = Acks.All }).Build())
        {
            await producer.ProduceAsync("poll", new Message<Null, string> { Value = "wake up" });
        }

        var (second, parked) = await ReadFetchResponseAsync(socket, 11);
        clock.Stop();
        Assert.Equal(2, second);
        var woken = parked.Topics.Single().Partitions.Single();
        Assert.Equal(1, woken.HighWatermark);
        Assert.True(woken.Records?.Length > 61, "the parked fetch was answered without the record");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the parked fetch was answered after {clock.Elapsed.TotalSeconds:0.0} s, not when data arrived");
    }

    [Fact]
    public async Task A_client_that_stops_reading_or_stops_mid_frame_stalls_only_itself()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        await CreateTopicAsync(broker, "bulk");
        await CreateTopicAsync(broker, "other");
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 5 }).Build())
        {
            var value = new byte[1024];
            for (var i = 0; i < 2000; i++)
            {
                producer.Produce("bulk", new Message<Null, byte[]> { Value = value });
            }

            Assert.Equal(0, producer.Flush(Timeout));
        }

        // Reader that never reads: 200 fetches of up to 1 MiB each, far more than the socket buffers hold.
        using var deaf = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await deaf.ConnectAsync(broker.Server.LocalEndPoint);
        for (var i = 0; i < 200; i++)
        {
            await SendAsync(deaf, ApiKey.Fetch, 11, i, FetchAt("bulk", 0, maxWaitMs: 100));
        }

        // Writer that stops in the middle of a frame: announces 200 bytes, sends 10.
        using var halfway = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await halfway.ConnectAsync(broker.Server.LocalEndPoint);
        var partial = new byte[14];
        BinaryPrimitives.WriteInt32BigEndian(partial, 200);
        await halfway.SendAsync(partial, SocketFlags.None);

        // Everyone else is served: a produce/consume round trip through other connections.
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, Acks = Acks.All }).Build())
        {
            for (var i = 0; i < 100; i++)
            {
                producer.Produce("other", new Message<Null, string> { Value = $"o{i}" });
            }

            Assert.Equal(0, producer.Flush(Timeout));
        }

        using (var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "g", EnableAutoCommit = false }).Build())
        {
            consumer.Assign(new TopicPartitionOffset("bulk", 0, 1990));
            for (var i = 1990; i < 2000; i++)
            {
                Assert.Equal(i, consumer.Consume(Timeout)?.Offset.Value);
            }

            consumer.Assign(new TopicPartitionOffset("other", 0, Offset.Beginning));
            for (var i = 0; i < 100; i++)
            {
                Assert.Equal($"o{i}", consumer.Consume(Timeout)?.Message.Value);
            }
        }

        // The stalled clients are still connected (nothing was closed to get the others through), and the deaf
        // one still gets its answers, in order, once it reads.
        Assert.True(deaf.Connected && halfway.Connected);
        deaf.ReceiveBufferSize = 1 << 20;
        for (var i = 0; i < 3; i++)
        {
            var (correlation, response) = await ReadFetchResponseAsync(deaf, 11);
            Assert.Equal(i, correlation);
            Assert.Equal(2000, response.Topics.Single().Partitions.Single().HighWatermark);
        }
    }

    private static async Task CreateTopicAsync(EmbeddedBroker broker, string name)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = 1 }]);
    }

    private static FetchRequest FetchAt(string topic, long offset, int maxWaitMs) => new()
    {
        ReplicaId = -1,
        MaxWaitMs = maxWaitMs,
        MinBytes = 1,
        MaxBytes = 1 << 20,
        IsolationLevel = 0,
        SessionId = 0,
        SessionEpoch = -1,
        Topics = [new FetchTopic { Name = topic, Partitions = [new FetchPartition { Partition = 0, CurrentLeaderEpoch = -1, FetchOffset = offset, LogStartOffset = -1, PartitionMaxBytes = 1 << 20 }] }],
        ForgottenTopics = [],
        RackId = "",
    };

    private static async Task SendAsync<T>(Socket socket, ApiKey key, short version, int correlationId, T message)
        where T : IKafkaMessage<T>
    {
        using var writer = new KafkaWriter();
        var size = writer.ReserveInt32();
        new RequestHeader(key, version, correlationId, "connection-test").Write(writer);
        message.Write(writer, version);
        writer.PatchInt32(size, writer.Length - 4);
        await socket.SendAsync(writer.ToArray(), SocketFlags.None);
    }

    /// <summary>Reads one response frame (header v0: the correlation id) and decodes it as a Fetch response.</summary>
    private static async Task<(int CorrelationId, FetchResponse Response)> ReadFetchResponseAsync(Socket socket, short version)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        var sizeBytes = new byte[4];
        await ReadExactlyAsync(socket, sizeBytes, cancel.Token);
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(sizeBytes)];
        await ReadExactlyAsync(socket, body, cancel.Token);
        var correlationId = BinaryPrimitives.ReadInt32BigEndian(body);
        var reader = new KafkaReader(body.AsMemory(4));
        return (correlationId, FetchResponse.Read(ref reader, version));
    }

    private static async Task ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancel)
    {
        while (buffer.Length > 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel);
            Assert.True(read > 0, "the broker closed the connection");
            buffer = buffer[read..];
        }
    }
}
