using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Weir.Cli.Bench;

/// <summary>
/// `weir bench broker-groups`: consumer-group consume throughput with 1, 2 and 3 Confluent.Kafka members on a
/// 6-partition topic, and the time from a member leaving (LeaveGroup) or dying (SIGKILL, session timeout) until
/// the survivor consumes the partitions it took over.
/// </summary>
internal static class GroupBenchmark
{
    private const int Partitions = 6;
    private const int SessionTimeoutMs = 6000;
    private const int HeartbeatIntervalMs = 500;

    public sealed record Options(string DataDirectory, long Records);

    public static async Task<string> RunAsync(Options options, TextWriter progress, CancellationToken cancellationToken)
    {
        await using var broker = await BrokerProcess.StartAsync(Path.Combine(options.DataDirectory, Guid.NewGuid().ToString("N")), "Interval").ConfigureAwait(false);
        const string Topic = "group-bench";
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.Bootstrap }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = Partitions, ReplicationFactor = 1 }]).ConfigureAwait(false);
        }

        Fill(broker.Bootstrap, Topic, options.Records);
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Consumer-group consume of {options.Records:N0} records of 100 B on {Partitions} partitions (Confluent.Kafka, one thread per member, timed from subscribe to the last record, join included):");
        report.AppendLine();
        report.AppendLine("| members | records/s | first record after subscribe (ms) |");
        report.AppendLine("|---:|---:|---:|");
        foreach (var members in new[] { 1, 2, 3 })
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (rate, firstMs) = ConsumeAsGroup(broker.Bootstrap, Topic, $"throughput-{members}", members, options.Records);
            var line = string.Create(CultureInfo.InvariantCulture, $"| {members} | {rate:N0} | {firstMs:0} |");
            report.AppendLine(line);
            await progress.WriteLineAsync(line).ConfigureAwait(false);
        }

        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Rebalance time (session.timeout.ms={SessionTimeoutMs}, heartbeat.interval.ms={HeartbeatIntervalMs}; from the second member's exit to the first record the survivor reads from a partition it took over):");
        report.AppendLine();
        var leave = await MeasureTakeoverAsync(broker.Bootstrap, Topic, kill: false).ConfigureAwait(false);
        var expiry = await MeasureTakeoverAsync(broker.Bootstrap, Topic, kill: true).ConfigureAwait(false);
        report.AppendLine(CultureInfo.InvariantCulture, $"| member exit | rebalance time (ms) |");
        report.AppendLine("|---|---:|");
        report.AppendLine(CultureInfo.InvariantCulture, $"| LeaveGroup (consumer closed) | {leave:0} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| SIGKILL (session timeout) | {expiry:0} |");
        await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"rebalance after LeaveGroup {leave:0} ms, after SIGKILL {expiry:0} ms")).ConfigureAwait(false);
        return report.ToString();
    }

    private static void Fill(string bootstrap, string topic, long records)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5, QueueBufferingMaxMessages = 1_000_000 }).Build();
        var value = new byte[100];
        for (long i = 0; i < records; i++)
        {
            var partition = new TopicPartition(topic, (int)(i % Partitions));
            while (true)
            {
                try
                {
                    producer.Produce(partition, new Message<Null, byte[]> { Value = value });
                    break;
                }
                catch (ProduceException<Null, byte[]> error) when (error.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(1));
                }
            }
        }

        producer.Flush();
    }

    private static ConsumerConfig MemberConfig(string bootstrap, string group, string name) => new()
    {
        BootstrapServers = bootstrap,
        GroupId = group,
        ClientId = name,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        SessionTimeoutMs = SessionTimeoutMs,
        HeartbeatIntervalMs = HeartbeatIntervalMs,
        ConsumeResultFields = "none",
    };

    private static (double RecordsPerSecond, double FirstRecordMs) ConsumeAsGroup(string bootstrap, string topic, string group, int members, long records)
    {
        long consumed = 0;
        long firstAt = 0;
        var stopwatch = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, members).Select(m => new Thread(() =>
        {
            using var consumer = new ConsumerBuilder<Ignore, byte[]>(MemberConfig(bootstrap, group, $"member-{m}")).Build();
            consumer.Subscribe(topic);
            while (Interlocked.Read(ref consumed) < records)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not null)
                {
                    Interlocked.CompareExchange(ref firstAt, stopwatch.ElapsedTicks, 0);
                    Interlocked.Increment(ref consumed);
                }
            }

            consumer.Close();
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var seconds = stopwatch.Elapsed.TotalSeconds;
        return (records / seconds, firstAt * 1000.0 / Stopwatch.Frequency);
    }

    /// <summary>Two members share the topic under a steady stream; the second exits; how long until the first reads its partitions.</summary>
    private static async Task<double> MeasureTakeoverAsync(string bootstrap, string topic, bool kill)
    {
        var group = kill ? "takeover-kill" : "takeover-leave";
        using var stop = new CancellationTokenSource();
        var streaming = Task.Run(() => Stream(bootstrap, topic, stop.Token));
        var firstRead = new ConcurrentDictionary<int, long>();
        var owned = new ConcurrentDictionary<int, byte>();
        var survivor = new Thread(() =>
        {
            using var consumer = new ConsumerBuilder<Ignore, byte[]>(MemberConfig(bootstrap, group, "survivor"))
                .SetPartitionsAssignedHandler((_, partitions) => partitions.ForEach(p => owned[p.Partition.Value] = 0))
                .SetPartitionsRevokedHandler((_, partitions) => partitions.ForEach(p => Forget(owned, p.Partition.Value)))
                .Build();
            consumer.Subscribe(topic);
            while (!stop.IsCancellationRequested)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(50));
                if (result is not null)
                {
                    firstRead.TryAdd(result.Partition.Value, Stopwatch.GetTimestamp());
                }
            }

            consumer.Close();
        });
        survivor.Start();
        var other = BrokerProcess.StartConsumer(bootstrap, topic, group, SessionTimeoutMs, HeartbeatIntervalMs);
        try
        {
            // Wait until both hold partitions and the other one is reading.
            var deadline = Stopwatch.StartNew();
            while (!(owned.Count is > 0 and < Partitions && other.HasPrinted))
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException("the two members never shared the topic");
                }

                await Task.Delay(20).ConfigureAwait(false);
            }

            var before = owned.Keys.ToHashSet();
            foreach (var partition in Enumerable.Range(0, Partitions).Where(p => !before.Contains(p)))
            {
                firstRead.TryRemove(partition, out _);
            }

            var exitAt = Stopwatch.GetTimestamp();
            await other.StopAsync(kill).ConfigureAwait(false);
            deadline.Restart();
            while (!Enumerable.Range(0, Partitions).Where(p => !before.Contains(p)).Any(p => firstRead.TryGetValue(p, out var at) && at > exitAt))
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(120))
                {
                    throw new TimeoutException("the survivor never took over");
                }

                await Task.Delay(5).ConfigureAwait(false);
            }

            var takenOver = Enumerable.Range(0, Partitions).Where(p => !before.Contains(p) && firstRead.TryGetValue(p, out var at) && at > exitAt).Min(p => firstRead[p]);
            return (takenOver - exitAt) * 1000.0 / Stopwatch.Frequency;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            survivor.Join();
            await streaming.ConfigureAwait(false);
            await other.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void Forget(ConcurrentDictionary<int, byte> owned, int partition) => owned.TryRemove(partition, out _);

    private static void Stream(string bootstrap, string topic, CancellationToken stop)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 1 }).Build();
        var value = new byte[100];
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            producer.Produce(new TopicPartition(topic, i % Partitions), new Message<Null, byte[]> { Value = value });
            if (i % Partitions == 0)
            {
                Thread.Sleep(1);
            }
        }

        producer.Flush(TimeSpan.FromSeconds(10));
    }
}
