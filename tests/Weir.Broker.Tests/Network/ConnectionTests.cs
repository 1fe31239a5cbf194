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

        // A partition error answers at once, whatever max wait says: beyond the high watermark, an unknown topic.
        await SendAsync(socket, ApiKey.Fetch, 11, 3, FetchAt("poll", 5, maxWaitMs: 60_000));
        var (_, beyond) = await ReadFetchResponseAsync(socket, 11);
        Assert.Equal(Weir.Broker.Protocol.ErrorCode.OffsetOutOfRange, beyond.Topics.Single().Partitions.Single().ErrorCode);
        await SendAsync(socket, ApiKey.Fetch, 11, 4, FetchAt("no-such-topic", 0, maxWaitMs: 60_000));
        var (_, unknown) = await ReadFetchResponseAsync(socket, 11);
        Assert.Equal(Weir.Broker.Protocol.ErrorCode.UnknownTopicOrPartition, unknown.Topics.Single().Partitions.Single().ErrorCode);
    }

    [Fact]
    public async Task Many_connections_pipelining_produce_requests_get_in_order_answers_and_distinct_offsets()
    {
        const int connections = 50, requests = 20, partitions = 5;
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        await CreateTopicAsync(broker, "busy", partitions);

        async Task<List<(int Partition, long BaseOffset)>> ClientAsync(int client)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(broker.Server.LocalEndPoint);
            for (var i = 0; i < requests; i++)
            {
                // All requests go out before any answer is read: the broker must pipeline and keep the order.
                await SendAsync(socket, ApiKey.Produce, (short)(3 + (i % 6)), i, new ProduceRequest
                {
                    Acks = (short)(i % 2 == 0 ? 1 : -1),
                    TimeoutMs = 5000,
                    Topics = [new ProduceTopicData { Name = "busy", Partitions = [new ProducePartitionData { Index = (client + i) % partitions, Records = TestBatches.Sized(3, 10) }] }],
                });
            }

            var offsets = new List<(int, long)>();
            for (var i = 0; i < requests; i++)
            {
                var (correlation, response) = await ReadResponseAsync<ProduceResponse>(socket, (short)(3 + (i % 6)));
                Assert.Equal(i, correlation);
                var partition = response.Topics.Single().Partitions.Single();
                Assert.Equal(Weir.Broker.Protocol.ErrorCode.None, partition.ErrorCode);
                offsets.Add((partition.Index, partition.BaseOffset));
            }

            return offsets;
        }

        var all = (await Task.WhenAll(Enumerable.Range(0, connections).Select(c => Task.Run(() => ClientAsync(c))))).SelectMany(o => o).ToList();

        // Every batch got its own three offsets: per partition the base offsets are 0, 3, 6, ... without gaps.
        foreach (var group in all.GroupBy(o => o.Partition))
        {
            Assert.Equal(Enumerable.Range(0, group.Count()).Select(i => i * 3L), group.Select(o => o.BaseOffset).Order());
        }

        Assert.Equal(connections * requests, all.Count);
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

    [Fact]
    public async Task Invalid_batches_get_their_error_code_and_bad_frames_close_only_their_connection()
    {
        var logs = new CapturingLoggerProvider();
        await using var broker = await EmbeddedBroker.StartAsync(o => { o.AutoCreateTopics = false; o.MaxFrameBytes = 64 * 1024; o.MaxMessageBytes = 4096; }, logs);
        await CreateTopicAsync(broker, "strict");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(broker.Server.LocalEndPoint);

        var good = TestBatches.Sized(3, 20);
        var badCrc = TestBatches.Sized(3, 20);
        badCrc[^1] ^= 0x01;
        var oldMagic = TestBatches.Sized(3, 20);
        oldMagic[16] = 1;
        var unknownMagic = TestBatches.Sized(3, 20);
        unknownMagic[16] = 3;
        var tooLarge = TestBatches.Sized(1, 5000);
        var control = TestBatches.Build([("c", 0)], attributes: 0x20);
        (byte[] Batch, Weir.Broker.Protocol.ErrorCode Expected)[] cases =
        [
            (good, Weir.Broker.Protocol.ErrorCode.None),
            (badCrc, Weir.Broker.Protocol.ErrorCode.CorruptMessage),
            (oldMagic, Weir.Broker.Protocol.ErrorCode.UnsupportedForMessageFormat),
            (unknownMagic, Weir.Broker.Protocol.ErrorCode.CorruptMessage),
            (tooLarge, Weir.Broker.Protocol.ErrorCode.MessageTooLarge),
            (control, Weir.Broker.Protocol.ErrorCode.InvalidRecord),
            (good, Weir.Broker.Protocol.ErrorCode.None),
        ];
        for (var i = 0; i < cases.Length; i++)
        {
            await SendAsync(socket, ApiKey.Produce, 8, 100 + i, new ProduceRequest
            {
                Acks = -1,
                TimeoutMs = 5000,
                Topics = [new ProduceTopicData { Name = "strict", Partitions = [new ProducePartitionData { Index = 0, Records = (byte[])cases[i].Batch.Clone() }] }],
            });
            var (correlation, response) = await ReadResponseAsync<ProduceResponse>(socket, 8);
            Assert.Equal(100 + i, correlation);
            Assert.Equal(cases[i].Expected, response.Topics.Single().Partitions.Single().ErrorCode);
        }

        // Only the two good batches are in the log, one after the other.
        await SendAsync(socket, ApiKey.Fetch, 11, 200, FetchAt("strict", 0, maxWaitMs: 0));
        var (_, fetched) = await ReadFetchResponseAsync(socket, 11);
        var stored = fetched.Topics.Single().Partitions.Single();
        Assert.Equal(6, stored.HighWatermark);
        Assert.Equal(2 * good.Length, stored.Records?.Length);

        // ApiVersions at an unknown version: the KIP-511 answer (v0 layout, UNSUPPORTED_VERSION, the ApiVersions
        // range the client should retry with).
        await SendAsync(socket, ApiKey.ApiVersions, 99, 300, new ApiVersionsRequest());
        var (apiCorrelation, versions) = await ReadResponseAsync<ApiVersionsResponse>(socket, 0);
        Assert.Equal(300, apiCorrelation);
        Assert.Equal(Weir.Broker.Protocol.ErrorCode.UnsupportedVersion, versions.ErrorCode);
        Assert.Contains(new ApiVersionRange(ApiKey.ApiVersions, 0, 3), versions.ApiKeys);

        // An unsupported version of another API, a frame over MaxFrameBytes, a negative size: each closes its connection.
        async Task AssertClosedAsync(byte[] frame)
        {
            using var bad = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await bad.ConnectAsync(broker.Server.LocalEndPoint);
            await bad.SendAsync(frame, SocketFlags.None);
            Assert.True(await ClosedByBrokerAsync(bad), "the broker kept a connection open after bad input");
        }

        using (var writer = new KafkaWriter())
        {
            var size = writer.ReserveInt32();
            new RequestHeader(ApiKey.Produce, 42, 1, "bad").Write(writer);
            writer.PatchInt32(size, writer.Length - 4);
            await AssertClosedAsync(writer.ToArray());
        }

        var huge = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(huge, (64 * 1024) + 1);
        await AssertClosedAsync(huge);
        var negative = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(negative, -5);
        await AssertClosedAsync(negative);

        // The first connection, which only sent well-formed requests, is still served; nothing failed.
        await SendAsync(socket, ApiKey.Fetch, 11, 400, FetchAt("strict", 3, maxWaitMs: 0));
        var (last, again) = await ReadFetchResponseAsync(socket, 11);
        Assert.Equal(400, last);
        Assert.Equal(good.Length, again.Topics.Single().Partitions.Single().Records?.Length);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);

        // Bad input is logged once per connection at warning level with the client's address: the invalid batches
        // of the first connection once, each closed connection once.
        var warned = logs.Entries.Where(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.StartsWith("client 127.0.0.1:", StringComparison.Ordinal))
            .Select(e => e.Message.Split(' ')[1]).ToList();
        Assert.Equal(4, warned.Count);
        Assert.Equal(4, warned.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task A_large_produce_request_arriving_in_pieces_is_stored_whole_and_the_request_behind_it_is_served()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        await CreateTopicAsync(broker, "large");
        var random = new Random(7);
        string Text(int length) => string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + r.Next(26));
            }
        });
        var first = Text(300_000);
        var second = Text(300_000);
        var large = Frame(ApiKey.Produce, 8, 1, ProduceTo("large", TestBatches.Build([(first, 0), (second, 1)])));
        var behind = Frame(ApiKey.Produce, 8, 2, ProduceTo("large", TestBatches.Build([("behind", 0)])));

        // In 50 kB pieces with pauses, so the broker sees the large frame begin long before it ends (it then reads
        // the rest from the socket itself); the last piece also carries the whole next request.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(broker.Server.LocalEndPoint);
        var bytes = large.Concat(behind).ToArray();
        for (var at = 0; at < bytes.Length; at += 50_000)
        {
            await socket.SendAsync(bytes.AsMemory(at, Math.Min(50_000, bytes.Length - at)), SocketFlags.None);
            await Task.Delay(5);
        }

        for (var correlation = 1; correlation <= 2; correlation++)
        {
            var (answered, response) = await ReadResponseAsync<ProduceResponse>(socket, 8);
            Assert.Equal(correlation, answered);
            Assert.Equal(Weir.Broker.Protocol.ErrorCode.None, response.Topics.Single().Partitions.Single().ErrorCode);
            Assert.Equal(correlation == 1 ? 0 : 2, response.Topics.Single().Partitions.Single().BaseOffset);
        }

        // A client that goes away in the middle of a large frame costs nobody else anything.
        using (var quitter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await quitter.ConnectAsync(broker.Server.LocalEndPoint);
            await quitter.SendAsync(large.AsMemory(0, 200_000), SocketFlags.None);
        }

        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "g", EnableAutoCommit = false }).Build();
        consumer.Assign(new TopicPartitionOffset("large", 0, Offset.Beginning));
        Assert.Equal(first, consumer.Consume(Timeout)?.Message.Value);
        Assert.Equal(second, consumer.Consume(Timeout)?.Message.Value);
        Assert.Equal("behind", consumer.Consume(Timeout)?.Message.Value);
        await SendAsync(socket, ApiKey.Fetch, 11, 3, FetchAt("large", 0, maxWaitMs: 0));
        var (last, fetched) = await ReadFetchResponseAsync(socket, 11);
        Assert.Equal(3, last);
        Assert.Equal(3, fetched.Topics.Single().Partitions.Single().HighWatermark);
    }

    private static async Task CreateTopicAsync(EmbeddedBroker broker, string name, int partitions = 1)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions }]);
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
        where T : IKafkaMessage<T> =>
        await socket.SendAsync(Frame(key, version, correlationId, message), SocketFlags.None);

    private static byte[] Frame<T>(ApiKey key, short version, int correlationId, T message)
        where T : IKafkaMessage<T>
    {
        using var writer = new KafkaWriter();
        var size = writer.ReserveInt32();
        new RequestHeader(key, version, correlationId, "connection-test").Write(writer);
        message.Write(writer, version);
        writer.PatchInt32(size, writer.Length - 4);
        return writer.ToArray();
    }

    private static ProduceRequest ProduceTo(string topic, byte[] batch) => new()
    {
        Acks = -1,
        TimeoutMs = 5000,
        Topics = [new ProduceTopicData { Name = topic, Partitions = [new ProducePartitionData { Index = 0, Records = batch }] }],
    };

    private static Task<(int CorrelationId, FetchResponse Response)> ReadFetchResponseAsync(Socket socket, short version) =>
        ReadResponseAsync<FetchResponse>(socket, version);

    /// <summary>Reads one response frame with header v0 (the correlation id: every non-flexible response, and ApiVersions).</summary>
    private static async Task<(int CorrelationId, T Response)> ReadResponseAsync<T>(Socket socket, short version)
        where T : IKafkaMessage<T>
    {
        using var cancel = new CancellationTokenSource(Timeout);
        var sizeBytes = new byte[4];
        await ReadExactlyAsync(socket, sizeBytes, cancel.Token);
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(sizeBytes)];
        await ReadExactlyAsync(socket, body, cancel.Token);
        var correlationId = BinaryPrimitives.ReadInt32BigEndian(body);
        var reader = new KafkaReader(body.AsMemory(4));
        return (correlationId, T.Read(ref reader, version));
    }

    /// <summary>True when the broker closed the connection (end of stream or reset) within the timeout.</summary>
    private static async Task<bool> ClosedByBrokerAsync(Socket socket)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        var sink = new byte[4096];
        try
        {
            while (true)
            {
                if (await socket.ReceiveAsync(sink, SocketFlags.None, cancel.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
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
