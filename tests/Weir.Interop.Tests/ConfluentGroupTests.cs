using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Weir.Testing;

namespace Weir.Interop.Tests;

public sealed class ConfluentGroupTests
{
    [Fact]
    public async Task Two_consumers_share_partitions_and_commit()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "shared", NumPartitions = 4 }]);
        }

        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            for (var i = 0; i < 400; i++)
            {
                producer.Produce("shared", new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        ConsumerConfig Config(string name) => new()
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "g1",
            ClientId = name,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 500,
        };

        using var first = new ConsumerBuilder<string, string>(Config("first")).Build();
        using var second = new ConsumerBuilder<string, string>(Config("second")).Build();
        first.Subscribe("shared");
        second.Subscribe("shared");
        var seen = new HashSet<string>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (seen.Count < 400 && DateTime.UtcNow < deadline)
        {
            foreach (var consumer in new[] { first, second })
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is not null)
                {
                    seen.Add(result.Message.Value);
                }
            }
        }

        Assert.Equal(400, seen.Count);
        Assert.NotEmpty(first.Assignment);
        Assert.NotEmpty(second.Assignment);
        Assert.Equal(4, first.Assignment.Count + second.Assignment.Count);
        first.Commit();
        second.Commit();
        first.Close();
        second.Close();
    }

    /// <summary>
    /// Static membership (group.instance.id, KIP-345): a static member consumes and commits; its process restarts
    /// (librdkafka sends no LeaveGroup for static members) and the new incarnation takes over at once, not after the
    /// old one's 30 s session timeout, and resumes from the commits.
    /// </summary>
    [Fact]
    public async Task A_static_member_joins_commits_and_rejoins_with_the_same_instance_id()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            for (var i = 0; i < 200; i++)
            {
                producer.Produce("static", new Message<Null, string> { Value = $"v{i}" });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        var config = new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "static-group",
            GroupInstanceId = "instance-1",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 30_000,
        };
        using (var consumer = new ConsumerBuilder<Null, string>(config).Build())
        {
            consumer.Subscribe("static");
            for (var i = 0; i < 100; i++)
            {
                var result = consumer.Consume(TimeSpan.FromSeconds(30));
                Assert.Equal($"v{i}", result?.Message.Value);
                consumer.Commit(result);
            }

            consumer.Close();
        }

        using (var again = new ConsumerBuilder<Null, string>(config).Build())
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            again.Subscribe("static");
            for (var i = 100; i < 200; i++)
            {
                Assert.Equal($"v{i}", again.Consume(TimeSpan.FromSeconds(60))?.Message.Value);
                if (i == 100)
                {
                    Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the restarted static member waited {clock.Elapsed.TotalSeconds:0.0} s");
                }
            }

            again.Close();
        }
    }

    /// <summary>
    /// Issue 3's scenario: three members on six partitions (two Confluent.Kafka consumers in this process, one
    /// `weir consume --group` process), one closed, one SIGKILLed without LeaveGroup; the survivor takes over
    /// and every record is processed at least once; after a broker restart the group resumes from its commits.
    /// </summary>
    [Fact]
    public async Task Survivors_take_over_closed_and_killed_members_and_the_group_resumes_after_a_restart()
    {
        const string Topic = "orders";
        const string Group = "order-processors";
        await using var broker = await EmbeddedBroker.StartAsync();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 6 }]);
        }

        var processed = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource();
        var a = RunCommittingConsumer(broker.BootstrapServers, Group, Topic, "a", processed, stop.Token);
        var b = RunCommittingConsumer(broker.BootstrapServers, Group, Topic, "b", processed, stop.Token);
        using var c = WeirCli.Start(["consume", "--topic", Topic, "--group", Group, "--from", "beginning", "--bootstrap", broker.BootstrapServers,
            "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500", "-X", "auto.commit.interval.ms=200"]);
        var cOutput = ReadLinesAsync(c, processed);

        await GroupWaits.StableAsync(broker.BootstrapServers, Group, 3);
        Produce(broker.BootstrapServers, Topic, 0, 300);
        await WaitProcessedAsync(processed, 0, 300);

        b.Stop.Cancel();
        await b.Loop;
        Produce(broker.BootstrapServers, Topic, 300, 600);
        await WaitProcessedAsync(processed, 0, 600);

        BrokerProcess.KillHard(c);
        await c.WaitForExitAsync();
        await cOutput;
        Produce(broker.BootstrapServers, Topic, 600, 900);
        await WaitProcessedAsync(processed, 0, 900);

        a.Stop.Cancel();
        await a.Loop;
        await broker.RestartAsync();
        Produce(broker.BootstrapServers, Topic, 900, 1200);
        var resumed = new ConcurrentDictionary<string, int>();
        var d = RunCommittingConsumer(broker.BootstrapServers, Group, Topic, "d", resumed, stop.Token);
        await WaitProcessedAsync(resumed, 900, 1200);
        d.Stop.Cancel();
        await d.Loop;

        Assert.DoesNotContain(resumed.Keys, v => int.Parse(v.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) < 900);
    }

    private static void Produce(string bootstrap, string topic, int from, int to)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All }).Build();
        for (var i = from; i < to; i++)
        {
            producer.Produce(topic, new Message<string, string> { Key = $"key-{i % 37}", Value = $"v{i}" });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }

    private static (CancellationTokenSource Stop, Task Loop) RunCommittingConsumer(string bootstrap, string group, string topic, string name, ConcurrentDictionary<string, int> processed, CancellationToken outer)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(outer);
        var loop = Task.Run(() =>
        {
            var config = new ConsumerConfig
            {
                BootstrapServers = bootstrap,
                GroupId = group,
                ClientId = name,
                AutoOffsetReset = AutoOffsetReset.Earliest,
                EnableAutoCommit = false,
                SessionTimeoutMs = 6000,
                HeartbeatIntervalMs = 500,
            };
            using var consumer = new ConsumerBuilder<string, string>(config).Build();
            consumer.Subscribe(topic);
            while (!stop.IsCancellationRequested)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is null)
                {
                    continue;
                }

                processed.AddOrUpdate(result.Message.Value, 1, (_, n) => n + 1);
                try
                {
                    consumer.Commit(result);
                }
                catch (KafkaException)
                {
                    // Lost the partition in a rebalance: its next owner processes the record again (at least once).
                }
            }

            consumer.Close();
        });
        return (stop, loop);
    }

    private static async Task ReadLinesAsync(System.Diagnostics.Process process, ConcurrentDictionary<string, int> processed)
    {
        _ = process.StandardError.ReadToEndAsync();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            processed.AddOrUpdate(line, 1, (_, n) => n + 1);
        }
    }

    private static Task WaitProcessedAsync(ConcurrentDictionary<string, int> processed, int from, int to) =>
        Eventually.HoldsAsync(
            () => Enumerable.Range(from, to - from).All(i => processed.ContainsKey($"v{i}")),
            TimeSpan.FromSeconds(90),
            () => $"missing {string.Join(", ", Enumerable.Range(from, to - from).Where(i => !processed.ContainsKey($"v{i}")).Take(20).Select(i => $"v{i}"))}");
}
