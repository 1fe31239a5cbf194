using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Weir.Testing;

namespace Weir.Jobs.Tests;

/// <summary>The demo job's input, written with Confluent.Kafka, and its output read back.</summary>
internal static class DemoTopics
{
    public const long Start = 1_700_000_000_000;

    public static async Task CreateAsync(EmbeddedBroker broker, params (string Topic, int Partitions)[] topics)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await admin.CreateTopicsAsync(topics.Select(t => new TopicSpecification { Name = t.Topic, NumPartitions = t.Partitions, ReplicationFactor = 1 }));
    }

    /// <summary>
    /// Readings 5 ms apart in event time, sensor i mod 16 on partition i mod <paramref name="partitions"/>: every
    /// partition's timestamps increase, so with the job's out-of-orderness no reading is ever late and every
    /// window's contents are the same however the job is interrupted.
    /// </summary>
    public static async Task ProduceAsync(EmbeddedBroker broker, string topic, int count, int partitions)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 20, BatchSize = 1 << 20 }).Build();
        var pending = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var sensor = $"s{i % 16}";
            var value = JsonSerializer.Serialize(new { sensor, value = (i * 7919) % 1000 / 10.0, time = Start + i * 5L });
            pending.Add(producer.ProduceAsync(new TopicPartition(topic, i % partitions), new Message<string, string> { Key = sensor, Value = value }));
            if (pending.Count >= 20_000)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending);
    }

    /// <summary>The window results the job must produce, computed here: (sensor, start) → count, min, max, mean.</summary>
    public static Dictionary<(string Sensor, long Start), (long Count, double Min, double Max, double Mean)> Expected(int count)
    {
        var windows = new Dictionary<(string, long), List<double>>();
        for (var i = 0; i < count; i++)
        {
            var key = ($"s{i % 16}", (Start + i * 5L) / 1000 * 1000);
            if (!windows.TryGetValue(key, out var values))
            {
                windows[key] = values = [];
            }

            values.Add((i * 7919) % 1000 / 10.0);
        }

        return windows.ToDictionary(w => w.Key, w => ((long)w.Value.Count, w.Value.Min(), w.Value.Max(), w.Value.Sum() / w.Value.Count));
    }

    /// <summary>
    /// The output topic read back to its end (the job has finished and flushed), deduplicated by key; a key written
    /// more than once must have been written with the same value every time.
    /// </summary>
    public static Dictionary<string, string> ReadWindows(EmbeddedBroker broker, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = $"reader-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var byKey = new Dictionary<string, string>(StringComparer.Ordinal);
        var all = new List<string>();
        var ended = new HashSet<int>();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (ended.Count < partitions)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{topic}: did not reach the end of every partition in time");
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                ended.Add(result.Partition.Value);
                continue;
            }

            all.Add($"{result.Partition.Value}@{result.Offset.Value} {result.Message.Value}");
            if (byKey.TryGetValue(result.Message.Key, out var earlier) && earlier != result.Message.Value)
            {
                Assert.Fail($"{result.Message.Key} written differently:\n{string.Join("\n", all.Where(a => a.Contains(result.Message.Key, StringComparison.Ordinal)))}\nrecords: {all.Count}");
            }

            byKey[result.Message.Key] = result.Message.Value;
        }

        return byKey;
    }

    public static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
