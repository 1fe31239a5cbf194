using System.Collections.Concurrent;
using System.Text.Json;
using Confluent.Kafka;
using Weir.Connectors.Kafka;
using Weir.Streams;
using Weir.Streams.Time;
using Weir.Testing;

namespace Weir.Connectors.Tests.Kafka;

/// <summary>
/// The Kafka source in consumer-group mode: jobs (and their subtasks) subscribed in one group share a topic's
/// partitions, and take over each other's when one stops, from the group's committed offsets.
/// </summary>
public sealed class KafkaGroupTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private const string Topic = "sensor-data";
    private const int Partitions = 4;

    /// <summary>A job reading <see cref="Topic"/> in <paramref name="group"/> into <paramref name="read"/> (the values: value % 4 is the partition).</summary>
    private static JobHandle StartJob(EmbeddedBroker broker, string group, string name, int parallelism, ConcurrentQueue<double> read, string? checkpoints = null, string assignor = "range,roundrobin")
    {
        var env = StreamEnvironment.Create(new JobOptions
        {
            Name = name,
            Parallelism = parallelism,
            CheckpointDirectory = checkpoints,
            CheckpointInterval = checkpoints is null ? null : TimeSpan.FromMilliseconds(50),
        });
        var source = new KafkaSource<SensorEvent>(
            new KafkaSourceOptions
            {
                BootstrapServers = broker.BootstrapServers,
                Topics = [Topic],
                GroupId = group,
                Mode = KafkaSourceMode.Group,
                // Members notice a rebalance within half a second (the broker's minimum session timeout is 6 s).
                ConsumerConfig = new Dictionary<string, string> { ["heartbeat.interval.ms"] = "500", ["session.timeout.ms"] = "6000", ["partition.assignment.strategy"] = assignor },
            },
            KafkaDeserializers.Json<SensorEvent>());
        env.FromSource(source, WatermarkStrategy.NoWatermarks<SensorEvent>(), "in").ForEach(e => read.Enqueue(e.Value));
        return env.Start();
    }

    /// <summary>Records numbered <paramref name="first"/>.. spread round-robin over the partitions: record i goes to partition i % 4.</summary>
    private static Task ProduceAsync(EmbeddedBroker broker, int first, int count) =>
        KafkaFixture.ProduceAsync(broker, Topic, Enumerable.Range(first, count).Select(i =>
            (i % Partitions, (string?)$"s{i % 7}", JsonSerializer.Serialize(new SensorEvent($"s{i % 7}", i), JsonSerializerOptions.Web), 1_700_000_000_000L + i)));

    /// <summary>The partitions of each member of a stable group (empty while it rebalances), as Kafka's admin API describes it.</summary>
    private static async Task<List<int[]>> MembersAsync(EmbeddedBroker broker, string group)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var description = (await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions.Single();
        return description.State != ConsumerGroupState.Stable
            ? []
            : [.. description.Members.Select(m => m.Assignment.TopicPartitions.Select(p => p.Partition.Value).Order().ToArray())];
    }

    private static async Task WaitForMembersAsync(EmbeddedBroker broker, string group, int members, int partitionsEach)
    {
        var last = new List<int[]>();
        await Eventually.HoldsAsync(
            async () =>
            {
                last = await MembersAsync(broker, group);
                return last.Count == members && last.All(m => m.Length == partitionsEach);
            },
            Deadline,
            () => $"members: {string.Join(" | ", last.Select(m => string.Join(",", m)))}",
            TimeSpan.FromMilliseconds(200));
    }

    private static long[] Committed(EmbeddedBroker broker, string group)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = group }).Build();
        return [.. consumer.Committed(Enumerable.Range(0, Partitions).Select(p => new TopicPartition(Topic, p)), TimeSpan.FromSeconds(10))
            .OrderBy(c => c.Partition.Value).Select(c => c.Offset.Value)];
    }

    private static HashSet<int> PartitionsOf(IEnumerable<double> values) => [.. values.Select(v => (int)v % Partitions)];

    [Fact]
    public async Task Two_jobs_in_one_group_share_the_partitions_and_together_read_every_record_once()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await KafkaFixture.CreateTopicAsync(broker, Topic, Partitions);
        const string group = "shared";
        var first = new ConcurrentQueue<double>();
        var second = new ConcurrentQueue<double>();

        // Two subtasks per job: four consumers in the group, one partition each.
        await using var a = StartJob(broker, group, "sharing", 2, first);
        await using var b = StartJob(broker, group, "sharing", 2, second);
        await WaitForMembersAsync(broker, group, members: 4, partitionsEach: 1);

        await ProduceAsync(broker, 0, 400);
        await Eventually.HoldsAsync(() => first.Count + second.Count >= 400, Deadline, () => $"read {first.Count} + {second.Count} of 400");

        Assert.Equal(Enumerable.Range(0, 400).Select(i => (double)i), first.Concat(second).Order());
        Assert.Equal(2, PartitionsOf(first).Count);
        Assert.Equal(2, PartitionsOf(second).Count);
        Assert.Empty(PartitionsOf(first).Intersect(PartitionsOf(second)));
    }

    [Theory]
    [InlineData("range,roundrobin")] // eager: every rebalance revokes everything first
    [InlineData("cooperative-sticky")] // incremental: only the partitions that move are revoked
    public async Task When_a_job_stops_the_other_takes_over_its_partitions_from_the_committed_offsets(string assignor)
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await KafkaFixture.CreateTopicAsync(broker, Topic, Partitions);
        using var checkpointsA = new TempDirectory("group-a");
        using var checkpointsB = new TempDirectory("group-b");
        const string group = "takeover";
        var first = new ConcurrentQueue<double>();
        var second = new ConcurrentQueue<double>();

        await using var a = StartJob(broker, group, "taking-over", 1, first, checkpointsA.Path, assignor);
        var b = StartJob(broker, group, "taking-over", 1, second, checkpointsB.Path, assignor);
        await WaitForMembersAsync(broker, group, members: 2, partitionsEach: 2);

        await ProduceAsync(broker, 0, 400);
        await Eventually.HoldsAsync(() => first.Count + second.Count >= 400, Deadline, () => $"read {first.Count} + {second.Count} of 400");
        // Checkpoints completed after everything was read: the group holds the end of every partition.
        await Eventually.HoldsAsync(() => Committed(broker, group).All(o => o == 100), Deadline, () => $"committed: {string.Join(", ", Committed(broker, group))}");
        var ofB = PartitionsOf(second);
        Assert.Equal(2, ofB.Count);
        Assert.Empty(PartitionsOf(first).Intersect(ofB));

        // B stops (leaving the group): A is given B's partitions too.
        var beforeTakeover = first.Count;
        await b.DisposeAsync();
        await WaitForMembersAsync(broker, group, members: 1, partitionsEach: Partitions);

        await ProduceAsync(broker, 400, 400);
        await Eventually.HoldsAsync(() => first.Count - beforeTakeover >= 400, Deadline, () => $"A read {first.Count - beforeTakeover} of the 400 new records");

        // Every record read (at least once); what A read of B's partitions starts at the group's committed offsets,
        // not at the start of the partitions.
        Assert.Equal(Enumerable.Range(0, 800).Select(i => (double)i), first.Concat(second).Distinct().Order());
        var takenOver = first.Skip(beforeTakeover).Where(v => ofB.Contains((int)v % Partitions)).Order();
        Assert.Equal(Enumerable.Range(400, 400).Where(i => ofB.Contains(i % Partitions)).Select(i => (double)i), takenOver);
        Assert.Equal(Enumerable.Range(400, 400).Select(i => (double)i), first.Skip(beforeTakeover).Order());
    }

    [Fact]
    public async Task A_member_that_dies_without_leaving_the_group_is_replaced_after_its_session_timeout()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await KafkaFixture.CreateTopicAsync(broker, Topic, Partitions);
        const string group = "dying";
        var read = new ConcurrentQueue<double>();
        await using var job = StartJob(broker, group, "surviving", 1, read);

        // The other member: a plain group consumer that never commits, then vanishes without a LeaveGroup (as a
        // SIGKILLed process does): Confluent.Kafka's Dispose without Close does not tell the coordinator (the group
        // still lists it right afterwards; checked by hand).
        var dying = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = group,
            EnableAutoCommit = false,
            HeartbeatIntervalMs = 500,
            SessionTimeoutMs = 6000,
        }).Build();
        dying.Subscribe(Topic);
        using var stop = new CancellationTokenSource();
        var polling = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                dying.Consume(100);
            }
        });
        await WaitForMembersAsync(broker, group, members: 2, partitionsEach: 2);
        await ProduceAsync(broker, 0, 400);
        await Eventually.HoldsAsync(() => read.Count >= 200, Deadline, () => $"read {read.Count} of the job's 200");
        var mine = PartitionsOf(read);
        Assert.Equal(2, mine.Count);

        await stop.CancelAsync();
        await polling;
        dying.Dispose();

        // After the session timeout the group drops it and the job reads its partitions from the start (nothing committed).
        await Eventually.HoldsAsync(() => read.Count >= 400, Deadline, () => $"read {read.Count} of 400");
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (double)i), read.Order());
    }

    [Fact]
    public void Group_mode_needs_a_group_and_topics()
    {
        var error = Assert.Throws<ArgumentException>(() => new KafkaSource<SensorEvent>(
            new KafkaSourceOptions { BootstrapServers = "127.0.0.1:1", Topics = [Topic], Mode = KafkaSourceMode.Group },
            KafkaDeserializers.Json<SensorEvent>()));
        Assert.Contains("GroupId", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new KafkaSource<SensorEvent>(
            new KafkaSourceOptions { BootstrapServers = "127.0.0.1:1", Topics = [Topic], GroupId = "g", Mode = KafkaSourceMode.Group, StopAtEndOffsets = true },
            KafkaDeserializers.Json<SensorEvent>()));
    }
}
