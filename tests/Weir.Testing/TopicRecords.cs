using Confluent.Kafka;

namespace Weir.Testing;

/// <summary>One record read back from a topic.</summary>
public sealed record TopicRecord(string Topic, int Partition, long Offset, byte[]? Key, byte[]? Value, long Timestamp, IReadOnlyList<(string Name, byte[] Value)> Headers)
{
    public string KeyText => Key is null ? "" : System.Text.Encoding.UTF8.GetString(Key);

    public string ValueText => Value is null ? "" : System.Text.Encoding.UTF8.GetString(Value);

    public string? Header(string name) =>
        Headers.LastOrDefault(h => h.Name == name) is { Value: { } bytes } ? System.Text.Encoding.UTF8.GetString(bytes) : null;
}

/// <summary>Reads topics back with a real Kafka client (Confluent.Kafka), from the beginning, without a consumer group.</summary>
public static class TopicRecords
{
    /// <summary>
    /// Every record of <paramref name="topic"/> up to the end offsets it has when <paramref name="until"/> first
    /// holds (checked against all records read so far), or fails after <paramref name="timeout"/> with what it read.
    /// </summary>
    public static Task<List<TopicRecord>> ReadAsync(string bootstrap, string topic, Func<IReadOnlyList<TopicRecord>, bool> until, TimeSpan timeout) =>
        Task.Run(() => Read(bootstrap, topic, until, timeout));

    /// <summary>Every record of <paramref name="topic"/> once it holds at least <paramref name="count"/>.</summary>
    public static Task<List<TopicRecord>> ReadAtLeastAsync(string bootstrap, string topic, int count, TimeSpan timeout) =>
        ReadAsync(bootstrap, topic, r => r.Count >= count, timeout);

    /// <summary>Every record of <paramref name="topic"/> up to its end offsets now (for topics a finished job wrote).</summary>
    public static Task<List<TopicRecord>> ReadAllAsync(string bootstrap, string topic, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "weir-tests-reader" }).Build();
        long total = 0;
        foreach (var p in Partitions(bootstrap, topic))
        {
            var offsets = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10));
            total += offsets.High.Value - offsets.Low.Value;
        }

        return ReadAsync(bootstrap, topic, r => r.Count >= total, timeout);
    }

    private static List<TopicRecord> Read(string bootstrap, string topic, Func<IReadOnlyList<TopicRecord>, bool> until, TimeSpan timeout)
    {
        var records = new List<TopicRecord>();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "weir-tests-reader",
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        var deadline = DateTime.UtcNow + timeout;
        var assigned = new HashSet<int>();
        var refresh = DateTime.MinValue;
        while (true)
        {
            if (DateTime.UtcNow >= refresh)
            {
                // Topics appear (and gain partitions) while a job runs: look again every second.
                refresh = DateTime.UtcNow.AddSeconds(1);
                foreach (var p in Partitions(bootstrap, topic).Where(assigned.Add))
                {
                    consumer.IncrementalAssign([new TopicPartitionOffset(topic, p, Offset.Beginning)]);
                }
            }

            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is { IsPartitionEOF: false, Message: not null })
            {
                records.Add(new TopicRecord(result.Topic, result.Partition.Value, result.Offset.Value, result.Message.Key, result.Message.Value,
                    result.Message.Timestamp.UnixTimestampMs,
                    result.Message.Headers?.Select(h => (h.Key, h.GetValueBytes())).ToList() ?? []));
                if (records.Count % 1000 != 0)
                {
                    continue; // check the condition per thousand while records stream in, and whenever the topic pauses
                }
            }

            if (until(records))
            {
                return records;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"read {records.Count} records of {topic} in {timeout} and the condition still does not hold");
            }
        }
    }

    private static List<int> Partitions(string bootstrap, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(5));
        return metadata.Topics.Where(t => !t.Error.IsError).SelectMany(t => t.Partitions.Select(p => p.PartitionId)).ToList();
    }
}
