using System.Buffers.Binary;
using System.Net.Sockets;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;
using Weir.Broker.Tests.Protocol;
using Weir.Testing;
using Xunit.Abstractions;

namespace Weir.Broker.Tests.Network;

/// <summary>
/// Thousands of random and mutated frames against a live broker while a real client (Confluent.Kafka) keeps
/// producing and consuming: the broker must answer or close, never crash, never fail a handler with an
/// unexpected exception, and never lose or damage the good client's data.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Frames = 10_000;

    [Fact]
    public async Task The_broker_survives_garbage_and_keeps_serving_a_well_behaved_client()
    {
        var logs = new CapturingLoggerProvider();
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false, logs);
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "good", NumPartitions = 1 }, new TopicSpecification { Name = "alpha", NumPartitions = 2 }]);
        }

        using var stop = new CancellationTokenSource();
        var goodClient = Task.Run(() => ProduceWhileFuzzing(broker.BootstrapServers, stop.Token));
        var endpoint = broker.Server.LocalEndPoint;
        var random = new Random(20_240_601);
        var seeds = SeedFrames();
        var sent = 0;
        while (sent < Frames)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endpoint);
            for (var i = 0; i < 8 && sent < Frames; i++, sent++)
            {
                var frame = Mutate(seeds[random.Next(seeds.Count)], random);
                try
                {
                    await socket.SendAsync(frame, SocketFlags.None);
                }
                catch (SocketException)
                {
                    break; // the broker closed this connection: expected after bad input
                }
            }

            // Take whatever came back without waiting for parked requests.
            socket.ReceiveTimeout = 20;
            try
            {
                var sink = new byte[65536];
                while (socket.Available > 0 && socket.Receive(sink) > 0)
                {
                }
            }
            catch (SocketException)
            {
            }
        }

        await stop.CancelAsync();
        var acknowledged = await goodClient;
        Assert.True(acknowledged.Count > 0, "the well-behaved client got nothing acknowledged while the broker was fuzzed");

        // Everything the good client was told is stored is there, byte for byte and in order.
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "check", EnableAutoCommit = false }).Build();
        consumer.Assign(new TopicPartitionOffset("good", 0, Offset.Beginning));
        foreach (var (offset, value) in acknowledged.OrderBy(e => e.Key))
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(30));
            Assert.NotNull(result);
            Assert.Equal(offset, result.Offset.Value);
            Assert.Equal(value, result.Message.Value);
        }

        var failures = logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => e.Message).ToList();
        Assert.True(failures.Count == 0, "handlers failed on fuzzed input:\n" + string.Join('\n', failures.Take(10)));
        // Bad input is logged once per connection, at warning level, with the client's address.
        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.StartsWith("client 127.0.0.1:", StringComparison.Ordinal))
            .Select(e => e.Message.Split(' ')[1]).ToList();
        output.WriteLine($"{sent} frames, {acknowledged.Count} good records, {warnings.Count} connections logged bad input, {logs.Entries.Count} log lines");
        Assert.True(warnings.Count > 100, $"only {warnings.Count} bad-input warnings for {Frames} mutated frames");
        Assert.Equal(warnings.Count, warnings.Distinct(StringComparer.Ordinal).Count());
    }

    private static Dictionary<long, string> ProduceWhileFuzzing(string bootstrap, CancellationToken stop)
    {
        var acknowledged = new Dictionary<long, string>();
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All, LingerMs = 0 }).Build();
        var i = 0;
        while (!stop.IsCancellationRequested)
        {
            var value = $"good-{i++}";
            var result = producer.ProduceAsync("good", new Message<Null, string> { Value = value }).GetAwaiter().GetResult();
            acknowledged[result.Offset.Value] = value;
        }

        return acknowledged;
    }

    /// <summary>Valid requests of many APIs and versions (the codec's samples, framed) to mutate.</summary>
    private static List<byte[]> SeedFrames()
    {
        var seeds = new List<byte[]>();
        void Add<T>(ApiKey key, short version, T message)
            where T : IKafkaMessage<T>
        {
            using var writer = new KafkaWriter();
            var size = writer.ReserveInt32();
            new RequestHeader(key, version, 7, "fuzz").Write(writer);
            message.Write(writer, version);
            writer.PatchInt32(size, writer.Length - 4);
            seeds.Add(writer.ToArray());
        }

        foreach (var range in SupportedApis.All)
        {
            for (var v = range.MinVersion; v <= range.MaxVersion; v++)
            {
                switch (range.Key)
                {
                    case ApiKey.ApiVersions: Add(range.Key, v, MessageSamples.ApiVersionsRequest()); break;
                    case ApiKey.Metadata: Add(range.Key, v, MessageSamples.MetadataRequest()); break;
                    case ApiKey.Fetch: Add(range.Key, v, MessageSamples.FetchRequest() is var f ? WithShortWait(f) : null!); break;
                    case ApiKey.ListOffsets: Add(range.Key, v, MessageSamples.ListOffsetsRequest()); break;
                    case ApiKey.Produce: Add(range.Key, v, ProduceTo("alpha", v)); break;
                    case ApiKey.FindCoordinator: Add(range.Key, v, MessageSamples.FindCoordinatorRequest()); break;
                    case ApiKey.JoinGroup: Add(range.Key, v, MessageSamples.JoinGroupRequest() is var j ? WithEmptyMember(j) : null!); break;
                    case ApiKey.SyncGroup: Add(range.Key, v, MessageSamples.SyncGroupRequest()); break;
                    case ApiKey.Heartbeat: Add(range.Key, v, MessageSamples.HeartbeatRequest()); break;
                    case ApiKey.LeaveGroup: Add(range.Key, v, MessageSamples.LeaveGroupRequest(v)); break;
                    case ApiKey.OffsetCommit: Add(range.Key, v, MessageSamples.OffsetCommitRequest()); break;
                    case ApiKey.OffsetFetch: Add(range.Key, v, MessageSamples.OffsetFetchRequest()); break;
                    case ApiKey.DescribeGroups: Add(range.Key, v, MessageSamples.DescribeGroupsRequest()); break;
                    case ApiKey.ListGroups: Add(range.Key, v, MessageSamples.ListGroupsRequest()); break;
                    case ApiKey.InitProducerId: Add(range.Key, v, MessageSamples.InitProducerIdRequest()); break;
                    case ApiKey.DescribeConfigs: Add(range.Key, v, MessageSamples.DescribeConfigsRequest()); break;

                    // Topic and group creation or deletion stay out: mutations could legitimately create huge topics.
                    default: break;
                }
            }
        }

        return seeds;
    }

    private static FetchRequest WithShortWait(FetchRequest request)
    {
        request.MaxWaitMs = 10;
        return request;
    }

    private static JoinGroupRequest WithEmptyMember(JoinGroupRequest request)
    {
        request.MemberId = "";
        request.SessionTimeoutMs = 6000;
        request.RebalanceTimeoutMs = 6000;
        return request;
    }

    private static ProduceRequest ProduceTo(string topic, short version) => new()
    {
        Acks = (short)(version % 2 == 0 ? 1 : -1),
        TimeoutMs = 1000,
        Topics = [new ProduceTopicData { Name = topic, Partitions = [new ProducePartitionData { Index = 0, Records = TestBatches.Sized(3, 20) }] }],
    };

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var frame = (byte[])seed.Clone();
        switch (random.Next(8))
        {
            case 0: // flip a few bytes anywhere after the size
                for (var i = 0; i < 1 + random.Next(4); i++)
                {
                    frame[4 + random.Next(frame.Length - 4)] ^= (byte)(1 + random.Next(255));
                }

                break;
            case 1: // truncate the body but keep the size it claims
                frame = frame[..(4 + random.Next(frame.Length - 4))];
                BinaryPrimitives.WriteInt32BigEndian(frame, seed.Length - 4);
                return frame[..Math.Max(4, frame.Length)];
            case 2: // truncate and say so
                frame = frame[..(4 + random.Next(frame.Length - 4))];
                BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
                break;
            case 3: // unknown or unsupported api key / version
                BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(4), (short)random.Next(-5, 80));
                BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), (short)random.Next(-3, 20));
                break;
            case 4: // pure noise with a plausible size
                frame = new byte[4 + random.Next(1, 300)];
                random.NextBytes(frame);
                BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
                break;
            case 5: // absurd sizes
                BinaryPrimitives.WriteInt32BigEndian(frame, random.Next(2) == 0 ? -random.Next(1, 1000) : int.MaxValue - random.Next(1000));
                break;
            case 6: // overwrite an int32 length or count somewhere with a large or negative value
                var at = 4 + random.Next(Math.Max(1, frame.Length - 8));
                BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(at), random.Next(2) == 0 ? -random.Next(2, 100) : random.Next(1_000, int.MaxValue));
                break;
            default: // appended junk
                var junk = new byte[random.Next(1, 64)];
                random.NextBytes(junk);
                frame = [.. frame, .. junk];
                BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
                break;
        }

        return frame;
    }
}
