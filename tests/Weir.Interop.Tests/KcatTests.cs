using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Weir.Testing;

namespace Weir.Interop.Tests;

/// <summary>Debian's kcat (librdkafka 2.0.2, the old feature-sentinel rules of research note P1) against the broker.</summary>
public sealed class KcatTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static TheoryData<string, int> Codecs() => new() { { "none", 0 }, { "gzip", 1 }, { "snappy", 2 }, { "lz4", 3 }, { "zstd", 4 } };

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Kcat_produces_and_consumes_with_every_codec(string codec, int attributeCodec)
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var topic = $"kcat-{codec}";
        var lines = Enumerable.Range(0, 500).Select(i => $"key-{i}|reading {i % 17} from sensor {i % 3}, status nominal").ToList();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var produced = await ProcessRun.RunAsync(Tools.Kcat, ["-b", broker.BootstrapServers, "-P", "-t", topic, "-p", "0", "-z", codec, "-K", "|", "-H", "origin=kcat"],
            Timeout, standardInput: string.Join('\n', lines) + "\n");
        Assert.True(produced.ExitCode == 0, produced.Describe());
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // Read back by a different client first: Confluent.Kafka sees exactly what kcat sent.
        var timestamps = new List<long>();
        using (var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "x", EnableAutoCommit = false }).Build())
        {
            consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
            foreach (var line in lines)
            {
                var result = consumer.Consume(Timeout);
                Assert.NotNull(result);
                Assert.Equal(line.Split('|')[0], result.Message.Key);
                Assert.Equal(line.Split('|')[1], result.Message.Value);
                Assert.Equal("kcat", Encoding.UTF8.GetString(result.Message.Headers.GetLastBytes("origin")));
                Assert.Equal(TimestampType.CreateTime, result.Message.Timestamp.Type);
                Assert.InRange(result.Message.Timestamp.UnixTimestampMs, before - 1000, after + 1000);
                timestamps.Add(result.Message.Timestamp.UnixTimestampMs);
            }
        }

        var consumed = await ProcessRun.RunAsync(Tools.Kcat, ["-b", broker.BootstrapServers, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-f", "%o|%k|%s|%T|%h\\n"], Timeout);
        Assert.True(consumed.ExitCode == 0, consumed.Describe());
        var expected = lines.Select((line, i) => string.Create(CultureInfo.InvariantCulture, $"{i}|{line}|{timestamps[i]}|origin=kcat"));
        Assert.Equal(expected, consumed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var stored = StoredBatches.Codecs(broker.DataDirectory, topic, 0);
        Assert.Contains(attributeCodec, stored);
        Assert.All(stored, c => Assert.True(c == attributeCodec || c == 0, $"stored codec {c}"));
    }

    [Fact]
    public async Task Kcat_reads_what_Confluent_Kafka_compressed_with_zstd()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, CompressionType = CompressionType.Zstd, LingerMs = 10 }).Build())
        {
            for (var i = 0; i < 300; i++)
            {
                producer.Produce("mixed", new Message<Null, string> { Value = $"value number {i}" });
            }

            producer.Flush(Timeout);
        }

        var consumed = await ProcessRun.RunAsync(Tools.Kcat, ["-b", broker.BootstrapServers, "-C", "-t", "mixed", "-o", "beginning", "-e", "-f", "%s\\n"], Timeout);

        Assert.True(consumed.ExitCode == 0, consumed.Describe());
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"value number {i}"), consumed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Kcat_lists_metadata_with_the_advertised_address()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.DefaultPartitions = 3);
        await ProcessRun.RunAsync(Tools.Kcat, ["-b", broker.BootstrapServers, "-P", "-t", "listed"], Timeout, standardInput: "x\n");

        var listed = await ProcessRun.RunAsync(Tools.Kcat, ["-b", broker.BootstrapServers, "-L"], Timeout);

        Assert.Contains($"broker 1 at {broker.BootstrapServers} (controller)", listed.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("topic \"listed\" with 3 partitions", listed.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_kcat_balanced_consumers_share_a_group_and_commit()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "kcat-group", NumPartitions = 4 }]);
        }

        string[] member = ["-b", broker.BootstrapServers, "-G", "kcats", "kcat-group", "-f", "%s\\n", "-u",
            "-X", "auto.offset.reset=earliest", "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500", "-X", "auto.commit.interval.ms=100"];
        var processed = new ConcurrentDictionary<string, string>();
        using var first = ProcessRun.Start(Tools.Kcat, member);
        using var second = ProcessRun.Start(Tools.Kcat, member);
        var outputs = new[] { Collect(first, "first", processed), Collect(second, "second", processed) };
        await GroupWaits.StableAsync(broker.BootstrapServers, "kcats", 2);

        var lines = string.Join('\n', Enumerable.Range(0, 400).Select(i => $"k{i}|r{i}")) + "\n";
        var produced = await ProcessRun.RunAsync(Tools.Kcat, ["-b", broker.BootstrapServers, "-P", "-t", "kcat-group", "-K", "|"], Timeout, standardInput: lines);
        Assert.True(produced.ExitCode == 0, produced.Describe());

        await Eventually.HoldsAsync(() => processed.Count == 400, Timeout, () => $"{processed.Count} of 400 consumed");
        Assert.Contains("first", processed.Values);
        Assert.Contains("second", processed.Values);

        // SIGTERM: kcat commits and leaves the group.
        BrokerProcess.Terminate(first);
        BrokerProcess.Terminate(second);
        await Task.WhenAll(outputs).WaitAsync(Timeout);
        using var reader = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var committed = await reader.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("kcats", [.. Enumerable.Range(0, 4).Select(p => new TopicPartition("kcat-group", p))])]);
        Assert.Equal(400, committed[0].Partitions.Sum(p => p.Offset.Value));
    }

    private static async Task Collect(System.Diagnostics.Process process, string name, ConcurrentDictionary<string, string> processed)
    {
        _ = process.StandardError.ReadToEndAsync();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            processed[line] = name;
        }

        await process.WaitForExitAsync();
    }
}
