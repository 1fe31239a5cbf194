using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Weir.Testing;

namespace Weir.Interop.Tests;

/// <summary>
/// `weir broker` as a separate process, killed with SIGKILL while a producer is writing: after a restart on the
/// same data directory every acknowledged record is there, in order, and the broker takes new writes.
/// </summary>
public sealed class CrashTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_acknowledged_record_survives_a_SIGKILL_mid_stream()
    {
        using var data = new TempDirectory("crash");
        var (broker, bootstrap) = await StartBrokerAsync(data, "127.0.0.1:0");
        var acked = new ConcurrentDictionary<long, string>();
        var producerConfig = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.All,
            LingerMs = 1,
            MessageTimeoutMs = 5000,
            ReconnectBackoffMs = 50,
        };
        using (var producer = new ProducerBuilder<Null, string>(producerConfig).Build())
        {
            var sent = 0;
            var killed = false;
            var deadline = Stopwatch.StartNew();
            var sinceKill = new Stopwatch();
            while (deadline.Elapsed < TimeSpan.FromSeconds(30) && sinceKill.Elapsed < TimeSpan.FromSeconds(1))
            {
                var value = $"record-{sent}";
                try
                {
                    producer.Produce(new TopicPartition("crash", 0), new Message<Null, string> { Value = value }, report =>
                    {
                        if (!report.Error.IsError)
                        {
                            acked[report.Offset.Value] = value;
                        }
                    });
                    sent++;
                }
                catch (ProduceException<Null, string> error) when (error.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }

                if (!killed && acked.Count >= 20_000)
                {
                    // Requests are in flight: some of them are appended but never acknowledged.
                    BrokerProcess.KillHard(broker);
                    killed = true;
                    sinceKill.Start();
                }
            }

            Assert.True(killed, $"only {acked.Count} records were acknowledged before the deadline");
            producer.Flush(TimeSpan.FromSeconds(10));
        }

        await broker.WaitForExitAsync();
        var port = new Uri("kafka://" + bootstrap).Port;
        var (restarted, again) = await StartBrokerAsync(data, $"127.0.0.1:{port}");
        try
        {
            var stored = ConsumeAll(again, "crash");
            var maxAcked = acked.Keys.Max();
            Assert.True(stored.Count > maxAcked, $"{stored.Count} records stored, but offset {maxAcked} was acknowledged");
            foreach (var (offset, value) in acked)
            {
                Assert.Equal(value, stored[(int)offset]);
            }

            // In order: record-N values increase with the offset.
            var numbers = stored.Select(v => int.Parse(v.AsSpan("record-".Length), System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.True(numbers.Zip(numbers.Skip(1)).All(pair => pair.First < pair.Second), "records are out of order");

            using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = again, Acks = Acks.All }).Build();
            var result = await producer.ProduceAsync(new TopicPartition("crash", 0), new Message<Null, string> { Value = "after-restart" });
            Assert.Equal(stored.Count, result.Offset.Value);
        }
        finally
        {
            BrokerProcess.Terminate(restarted);
            await restarted.WaitForExitAsync();
        }
    }

    /// <summary>
    /// The broker is killed while it has appended batches whose acknowledgements never reached the producer (a
    /// relay swallows them), so after the restart librdkafka retries batches that are already in the log: the
    /// rebuilt producer state must answer them as duplicates, leaving each record exactly once, in order.
    /// </summary>
    [Fact]
    public async Task An_idempotent_producer_writes_each_record_exactly_once_across_a_broker_kill_and_restart()
    {
        using var data = new TempDirectory("idempotent");
        await using var proxy = new TcpProxy();
        var (broker, port) = await StartBrokerAsync(data, "127.0.0.1:0", advertised: $"127.0.0.1:{proxy.Port}");
        proxy.BackendPort = port;
        var config = new ProducerConfig
        {
            BootstrapServers = $"127.0.0.1:{proxy.Port}",
            EnableIdempotence = true,
            LingerMs = 5,
            MessageTimeoutMs = 60_000,
            ReconnectBackoffMs = 50,
            ReconnectBackoffMaxMs = 200,
            BatchNumMessages = 100,
        };
        const int Total = 30_000;
        var delivered = 0;
        var failures = new ConcurrentQueue<string>();
        Process? restarted = null;
        using (var producer = new ProducerBuilder<Null, string>(config).Build())
        {
            for (var i = 0; i < Total; i++)
            {
                producer.Produce(new TopicPartition("exactly-once", 0), new Message<Null, string> { Value = $"r{i}" }, report =>
                {
                    if (report.Error.IsError)
                    {
                        failures.Enqueue(report.Error.Reason);
                    }
                    else
                    {
                        Interlocked.Increment(ref delivered);
                    }
                });
                if (i == 5000)
                {
                    await Eventually.HoldsAsync(() => Volatile.Read(ref delivered) > 1000, Timeout, () => $"{delivered} delivered");
                    proxy.SwallowResponses = true;
                }

                if (i == 10_000)
                {
                    // Wait until the broker has written batches whose acknowledgements the producer never got
                    // (librdkafka keeps at most 5 requests in flight with idempotence).
                    var logDirectory = data.Combine("broker");
                    await Eventually.HoldsAsync(
                        () => StoredBatches.RecordCount(logDirectory, "exactly-once", 0) > Volatile.Read(ref delivered),
                        Timeout,
                        () => $"{StoredBatches.RecordCount(logDirectory, "exactly-once", 0)} records stored, {delivered} acknowledged");
                    BrokerProcess.KillHard(broker);
                    await broker.WaitForExitAsync();
                    (restarted, var newPort) = await StartBrokerAsync(data, "127.0.0.1:0", advertised: $"127.0.0.1:{proxy.Port}");
                    proxy.BackendPort = newPort;
                    proxy.SwallowResponses = false;
                    proxy.DropConnections();
                }
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(90)));
        }

        try
        {
            Assert.NotNull(restarted);
            Assert.Empty(failures);
            Assert.Equal(Total, delivered);
            var stored = ConsumeAll($"127.0.0.1:{proxy.Port}", "exactly-once");
            Assert.Equal(Enumerable.Range(0, Total).Select(i => $"r{i}"), stored);
        }
        finally
        {
            if (restarted is not null)
            {
                BrokerProcess.Terminate(restarted);
                await restarted.WaitForExitAsync();
            }
        }
    }

    [Fact]
    public async Task Committed_offsets_survive_a_SIGKILL_of_the_broker()
    {
        using var data = new TempDirectory("crash-offsets");
        var (broker, bootstrap) = await StartBrokerAsync(data, "127.0.0.1:0");
        var committed = new Dictionary<int, long>();
        try
        {
            using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
            {
                await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = "progress", NumPartitions = 3 }]);
            }

            using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All }).Build())
            {
                for (var i = 0; i < 300; i++)
                {
                    producer.Produce(new TopicPartition("progress", i % 3), new Message<Null, string> { Value = $"r{i}" });
                }

                Assert.Equal(0, producer.Flush(Timeout));
            }

            // A group member processes half of the records, committing after each one.
            using (var consumer = new ConsumerBuilder<Ignore, string>(GroupConfig(bootstrap)).Build())
            {
                consumer.Subscribe("progress");
                for (var i = 0; i < 150; i++)
                {
                    var result = consumer.Consume(Timeout) ?? throw new TimeoutException($"only {i} records consumed");
                    consumer.Commit([new TopicPartitionOffset(result.TopicPartition, result.Offset + 1)]);
                    committed[result.Partition.Value] = result.Offset.Value + 1;
                }

                consumer.Close();
            }

            BrokerProcess.KillHard(broker);
            await broker.WaitForExitAsync();
        }
        catch
        {
            BrokerProcess.KillHard(broker);
            throw;
        }

        var port = new Uri("kafka://" + bootstrap).Port;
        var (restarted, again) = await StartBrokerAsync(data, $"127.0.0.1:{port}");
        try
        {
            using var consumer = new ConsumerBuilder<Ignore, string>(GroupConfig(again)).Build();
            var partitions = Enumerable.Range(0, 3).Select(p => new TopicPartition("progress", p)).ToList();
            var stored = consumer.Committed(partitions, Timeout).ToDictionary(o => o.Partition.Value, o => o.Offset.Value);
            foreach (var (partition, offset) in committed)
            {
                Assert.Equal(offset, stored[partition]);
            }

            // The group resumes where it was: the other 150 records, none of the processed ones again.
            consumer.Subscribe("progress");
            var rest = new HashSet<string>();
            for (var i = 0; i < 150; i++)
            {
                var result = consumer.Consume(Timeout) ?? throw new TimeoutException($"only {i} records after the restart");
                Assert.True(result.Offset.Value >= committed.GetValueOrDefault(result.Partition.Value), $"{result.TopicPartitionOffset} was processed before the crash");
                Assert.True(rest.Add(result.Message.Value), $"{result.Message.Value} read twice");
            }

            consumer.Close();
        }
        finally
        {
            BrokerProcess.Terminate(restarted);
            await restarted.WaitForExitAsync();
        }
    }

    private static ConsumerConfig GroupConfig(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        GroupId = "crash-group",
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        SessionTimeoutMs = 6000,
    };

    private static async Task<(Process Process, string Bootstrap)> StartBrokerAsync(TempDirectory data, string listen)
    {
        var process = WeirCli.Start(["broker", "--listen", listen, "--data-dir", data.Combine("broker"), "--fsync", "Never"]);
        return (process, await BrokerProcess.WaitForAddressAsync(process, Timeout));
    }

    private static async Task<(Process Process, int ListeningPort)> StartBrokerAsync(TempDirectory data, string listen, string advertised)
    {
        var process = WeirCli.Start(["broker", "--listen", listen, "--advertised", advertised, "--data-dir", data.Combine("broker"), "--fsync", "Never"]);
        return (process, (await BrokerProcess.WaitForStartAsync(process, Timeout)).ListeningPort);
    }

    private static List<string> ConsumeAll(string bootstrap, string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "verify",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var values = new List<string>();
        while (true)
        {
            var result = consumer.Consume(Timeout) ?? throw new TimeoutException($"no end of partition after {values.Count} records");
            if (result.IsPartitionEOF)
            {
                return values;
            }

            Assert.Equal(values.Count, result.Offset.Value);
            values.Add(result.Message.Value);
        }
    }
}
