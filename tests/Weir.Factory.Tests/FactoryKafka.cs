using Encoding = System.Text.Encoding;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ParquetSharp;
using Weir.Pipelines.Factory;

namespace Weir.Factory.Tests;

/// <summary>Kafka and Parquet helpers for the factory tests: read topics and sink files back with clients Weir did not write.</summary>
internal static class FactoryKafka
{
    public static ILoggerFactory Logs { get; } = NullLoggerFactory.Instance;

    public static FactoryKafkaOptions Options(string bootstrap, bool create = true) =>
        new() { Bootstrap = bootstrap, CreateTopics = create, Partitions = 3, ReplicationFactor = 1 };

    /// <summary>Every record of a topic, read with Confluent.Kafka from the beginning to the end offsets of now.</summary>
    public static List<ConsumeResult<byte[]?, byte[]?>> ReadAll(string bootstrap, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "factory-tests-reader",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(30)).Topics.Single().Partitions.Select(p => p.PartitionId).ToList();
        var ends = partitions.ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(30)).High.Value);
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var records = new List<ConsumeResult<byte[]?, byte[]?>>();
        var pending = ends.Where(e => e.Value > 0).Select(e => e.Key).ToHashSet();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (pending.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"reading {topic} stalled; partitions left: {string.Join(",", pending)}");
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            if (!result.IsPartitionEOF)
            {
                records.Add(result);
            }

            if (result.Offset.Value + (result.IsPartitionEOF ? 0 : 1) >= ends[result.Partition.Value])
            {
                pending.Remove(result.Partition.Value);
            }
        }

        return records;
    }

    public static void Produce(string bootstrap, string topic, IEnumerable<(string? Key, string Value)> records)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All, LingerMs = 5 }).Build();
        foreach (var (key, value) in records)
        {
            producer.Produce(topic, new Message<byte[]?, byte[]?> { Key = key is null ? null : Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value) });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Commits <paramref name="offset"/> for the partitions on behalf of <paramref name="group"/> (no member of it running).</summary>
    public static void CommitOffsets(string bootstrap, string group, string topic, int[] partitions, long offset)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group, EnableAutoCommit = false }).Build();
        consumer.Commit(partitions.Select(p => new TopicPartitionOffset(topic, p, offset)));
        var committed = consumer.Committed(partitions.Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(30));
        Assert.All(committed, c => Assert.Equal(offset, c.Offset.Value));
    }

    public static string Header(ConsumeResult<byte[]?, byte[]?> record, string name) =>
        record.Message.Headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : throw new KeyNotFoundException(name);

    /// <summary>A sink file read with ParquetSharp (Arrow C++): its name's range and its rows, each column as text.</summary>
    public static (SinkFile File, List<string[]> Rows) ReadSinkFile(string path)
    {
        var file = SinkFiles.Parse(path) ?? throw new InvalidDataException($"not a sink file name: {path}");
        using var reader = new ParquetFileReader(path);
        var columns = reader.FileMetaData.NumColumns;
        var rows = new List<string[]>();
        for (var g = 0; g < reader.FileMetaData.NumRowGroups; g++)
        {
            using var rowGroup = reader.RowGroup(g);
            var count = checked((int)rowGroup.MetaData.NumRows);
            var values = new string[columns][];
            for (var c = 0; c < columns; c++)
            {
                using var column = rowGroup.Column(c);
                values[c] = column.ColumnDescriptor.PhysicalType switch
                {
                    PhysicalType.Int32 => column.LogicalReader<int>().ReadAll(count).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
                    PhysicalType.Float => column.LogicalReader<float>().ReadAll(count).Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
                    PhysicalType.Int64 => column.LogicalReaderOverride<long>().ReadAll(count).Select(v => (v / 1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
                    var other => throw new InvalidDataException($"unexpected column type {other} in {path}"),
                };
            }

            for (var r = 0; r < count; r++)
            {
                rows.Add([.. Enumerable.Range(0, columns).Select(c => values[c][r])]);
            }
        }

        return (file, rows);
    }
}
