using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Weir.Testing;

namespace Weir.Interop.Tests;

/// <summary>
/// Debian's python3-kafka (kafka-python 2.0.2) run by /usr/bin/python3: a version-guessing client that sends
/// ApiVersions v0, Metadata v0/v1, Produce v7, Fetch v4, JoinGroup v2, OffsetCommit v2 (research note P2).
/// </summary>
public sealed class KafkaPythonTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    public async Task Kafka_python_produces_and_consumes_identical_records(string compression)
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var topic = $"python-{compression}";

        var produced = await ProcessRun.RunAsync(Tools.Python, [Tools.Script("kafka_python_produce.py"), broker.BootstrapServers, topic, "300", compression], Timeout);
        Assert.True(produced.ExitCode == 0, produced.Describe());

        // Another client sees exactly what kafka-python wrote.
        using (var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "x", EnableAutoCommit = false }).Build())
        {
            consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
            for (var i = 0; i < 300; i++)
            {
                var result = consumer.Consume(Timeout);
                Assert.NotNull(result);
                Assert.Equal($"key-{i}", result.Message.Key);
                Assert.Equal($"value-{i}", result.Message.Value);
                Assert.Equal(1_700_000_000_000 + i, result.Message.Timestamp.UnixTimestampMs);
                Assert.Equal("python", Encoding.UTF8.GetString(result.Message.Headers.GetLastBytes("src")));
            }
        }

        var consumed = await ProcessRun.RunAsync(Tools.Python, [Tools.Script("kafka_python_consume.py"), broker.BootstrapServers, topic, "300"], Timeout);
        Assert.True(consumed.ExitCode == 0, consumed.Describe());
        var records = consumed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(300, records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal(i, records[i].GetProperty("offset").GetInt64());
            Assert.Equal($"key-{i}", records[i].GetProperty("key").GetString());
            Assert.Equal($"value-{i}", records[i].GetProperty("value").GetString());
            Assert.Equal(1_700_000_000_000 + i, records[i].GetProperty("timestamp").GetInt64());
            Assert.Equal("src", records[i].GetProperty("headers")[0][0].GetString());
        }
    }

    [Fact]
    public async Task Kafka_python_reads_records_Confluent_Kafka_wrote()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, CompressionType = CompressionType.Gzip }).Build())
        {
            for (var i = 0; i < 100; i++)
            {
                producer.Produce(new TopicPartition("from-dotnet", 0), new Message<string, string>
                {
                    Key = $"key-{i}",
                    Value = $"value-{i}",
                    Timestamp = new Timestamp(1_700_000_000_000 + i, TimestampType.CreateTime),
                    Headers = new Headers { { "src", Encoding.UTF8.GetBytes("dotnet") } },
                });
            }

            producer.Flush(Timeout);
        }

        var consumed = await ProcessRun.RunAsync(Tools.Python, [Tools.Script("kafka_python_consume.py"), broker.BootstrapServers, "from-dotnet", "100"], Timeout);

        Assert.True(consumed.ExitCode == 0, consumed.Describe());
        var values = consumed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("value").GetString());
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"value-{i}"), values);
    }

    [Fact]
    public async Task Two_kafka_python_processes_share_a_group_and_commit()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "py-group", NumPartitions = 4 }]);
        }

        var processed = new ConcurrentDictionary<string, string>();
        using var first = ProcessRun.Start(Tools.Python, [Tools.Script("kafka_python_group.py"), broker.BootstrapServers, "py-group", "pythons"], redirectInput: true);
        using var second = ProcessRun.Start(Tools.Python, [Tools.Script("kafka_python_group.py"), broker.BootstrapServers, "py-group", "pythons"], redirectInput: true);
        var firstOutput = Collect(first, "first", processed);
        var secondOutput = Collect(second, "second", processed);
        await GroupWaits.StableAsync(broker.BootstrapServers, "pythons", 2);

        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            for (var i = 0; i < 400; i++)
            {
                producer.Produce(new TopicPartition("py-group", i % 4), new Message<Null, string> { Value = $"r{i}" });
            }

            producer.Flush(Timeout);
        }

        await Eventually.HoldsAsync(() => processed.Count == 400, Timeout, () => $"{processed.Count} of 400 processed");
        Assert.Contains("first", processed.Values);
        Assert.Contains("second", processed.Values);

        first.StandardInput.Close();
        second.StandardInput.Close();
        await Task.WhenAll(firstOutput, secondOutput).WaitAsync(Timeout);
        using var admin2 = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var committed = await admin2.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("pythons", [.. Enumerable.Range(0, 4).Select(p => new TopicPartition("py-group", p))])]);
        Assert.All(committed[0].Partitions, p => Assert.Equal(100, p.Offset.Value));
    }

    private static async Task Collect(System.Diagnostics.Process process, string name, ConcurrentDictionary<string, string> processed)
    {
        var errors = process.StandardError.ReadToEndAsync();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith('r'))
            {
                processed[line] = name;
            }
        }

        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{name} exited {process.ExitCode}: {await errors}");
    }
}
