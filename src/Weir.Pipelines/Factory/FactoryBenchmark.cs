using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Weir.Pipelines.Shared;

namespace Weir.Pipelines.Factory;

/// <summary>
/// `weir bench factory`: records per second from a topic to durable Parquet files for each schema, and bytes on
/// disk per record. The baseline, measured in the same run on the same topic, is a plain Confluent.Kafka consumer
/// reading every record and touching its bytes (the fastest any sink on this client could go); the sink runs with
/// the original's settings (1000 records per trigger, 10,000 per file) and with large micro-batches. Runs are
/// interleaved (baseline, sink, sink, baseline, ...) and the median of the repeats is reported, because the machines
/// are shared and noisy.
/// </summary>
internal static class FactoryBenchmark
{
    internal sealed record Options(string Bootstrap, string Folder, int Records, int Repeats);

    private sealed record Measure(string Name, double Seconds, long Records, long Files, long Bytes);

    public static async Task<string> RunAsync(Options options, TextWriter progress, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var kafka = new FactoryKafkaOptions { Bootstrap = options.Bootstrap, Partitions = 3 };
        await FactoryTopics.EnsureAsync(kafka, ["metrics", "workorder"], cancellationToken).ConfigureAwait(false);
        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"factory sink benchmark: {options.Records} records per schema, 3 partitions, median of {options.Repeats} runs\n\n");
        report.Append("| schema | run | records/s | vs raw consume | files | bytes on disk per record |\n|---|---|---:|---:|---:|---:|\n");
        foreach (var topic in new[] { "metrics", "workorder" })
        {
            var jsonBytes = Fill(options.Bootstrap, topic, options.Records);
            await progress.WriteLineAsync($"{topic}: {options.Records} records in the topic ({jsonBytes / (double)options.Records:0.0} JSON bytes per record)").ConfigureAwait(false);
            _ = RawConsume(options.Bootstrap, topic, options.Records); // warm-up: JIT, broker caches, connections
            var runs = new List<Measure>();
            var kinds = new List<Func<Task<Measure>>>
            {
                () => Task.FromResult(RawConsume(options.Bootstrap, topic, options.Records)),
                () => SinkAsync("sink, original settings", 1000, 10_000, topic, options, kafka, loggerFactory, cancellationToken),
                () => SinkAsync("sink, 50,000 per trigger", 50_000, 50_000, topic, options, kafka, loggerFactory, cancellationToken),
                () => ParquetOnlyAsync(topic, options, cancellationToken),
            };
            for (var repeat = 0; repeat < options.Repeats; repeat++)
            {
                // A different order each time, so that no kind always runs first (or right after another) on a noisy machine.
                for (var k = 0; k < kinds.Count; k++)
                {
                    runs.Add(await kinds[(k + repeat) % kinds.Count]().ConfigureAwait(false));
                }

                await progress.WriteLineAsync($"  run {repeat + 1}: " + string.Join(", ", runs.TakeLast(kinds.Count).Select(m => $"{m.Name} {m.Records / m.Seconds:0} rec/s"))).ConfigureAwait(false);
            }

            var baseline = Median(runs.Where(r => r.Name == "raw consume"));
            foreach (var name in new[] { "raw consume", "sink, original settings", "sink, 50,000 per trigger", ParquetOnly })
            {
                var these = runs.Where(r => r.Name == name).ToList();
                var rate = Median(these);
                var last = these[^1];
                report.Append(CultureInfo.InvariantCulture,
                    $"| {topic} | {name} | {rate:N0} | {rate / baseline:0.00}x | {(last.Files > 0 ? last.Files.ToString(CultureInfo.InvariantCulture) : "-")} | " +
                    $"{(last.Files > 0 ? (last.Bytes / (double)last.Records).ToString("0.0", CultureInfo.InvariantCulture) : $"{jsonBytes / (double)options.Records:0.0} (JSON in the topic)")} |\n");
            }
        }

        return report.ToString();
    }

    private static double Median(IEnumerable<Measure> runs)
    {
        var rates = runs.Select(r => r.Records / r.Seconds).Order().ToList();
        return rates.Count % 2 == 1 ? rates[rates.Count / 2] : (rates[rates.Count / 2 - 1] + rates[rates.Count / 2]) / 2;
    }

    /// <summary>Writes <paramref name="count"/> records in the original format to the topic; returns their JSON bytes.</summary>
    private static long Fill(string bootstrap, string topic, int count)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.All,
            LingerMs = 10,
            Partitioner = Partitioner.Murmur2Random,
        }).Build();
        var random = new Random(8);
        const long start = 1624377478;
        double production = 0;
        long bytes = 0;
        for (var i = 0; i < count; i++)
        {
            string key;
            string json;
            if (topic == "metrics")
            {
                key = (i % 20).ToString(CultureInfo.InvariantCulture);
                json = $$"""{"id": {{key}}, "val": {{PythonJson.Float((random.NextDouble() - 0.3) * 4000)}}, "time": {{start + i / 4}}}""";
            }
            else
            {
                key = (i % 2).ToString(CultureInfo.InvariantCulture);
                production += random.NextDouble() * 30;
                json = $$"""{"time": {{start + i * 2500L}}, "product": {{key}}, "production": {{PythonJson.Float(production)}}}""";
            }

            var value = Encoding.UTF8.GetBytes(json);
            bytes += value.Length;
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<byte[]?, byte[]> { Key = Encoding.ASCII.GetBytes(key), Value = value });
                    break;
                }
                catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        if (producer.Flush(TimeSpan.FromMinutes(2)) > 0)
        {
            throw new InvalidOperationException($"could not fill {topic}");
        }

        return bytes;
    }

    private const string ParquetOnly = "validate + Parquet only, no Kafka";

    /// <summary>The sink's own work without Kafka: the topic's records, already in memory, validated and written as one durable file.</summary>
    private static async Task<Measure> ParquetOnlyAsync(string topic, Options options, CancellationToken cancellationToken)
    {
        var values = Values(options.Bootstrap, topic, options.Records);
        var schema = FactorySchemas.ByName(topic);
        var decoder = new Weir.Connectors.Parquet.JsonRecordDecoder(schema);
        var path = Path.Combine(options.Folder, $"{topic}-{Guid.NewGuid():N}.parquet");
        try
        {
            var watch = Stopwatch.StartNew();
            var batch = new Weir.Connectors.Parquet.ColumnBatch(schema, values.Count);
            foreach (var value in values)
            {
                if (!decoder.TryAppend(value, batch, out var error))
                {
                    throw new InvalidOperationException(error);
                }
            }

            await Weir.Connectors.Files.DurableFile.WriteAsync(path,
                (stream, ct) => Weir.Connectors.Parquet.ParquetTableWriter.WriteAsync(stream, batch, 0, batch.Count, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
            return new Measure(ParquetOnly, watch.Elapsed.TotalSeconds, batch.Count, 1, new FileInfo(path).Length);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static List<byte[]> Values(string bootstrap, string topic, int expected)
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "weir-bench-raw", EnableAutoCommit = false }).Build();
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var values = new List<byte[]>(expected);
        while (values.Count < expected)
        {
            values.Add((consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException($"reading {topic} stalled")).Message.Value);
        }

        return values;
    }

    private static Measure RawConsume(string bootstrap, string topic, int expected)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "weir-bench-raw",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        var watch = Stopwatch.StartNew();
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        long records = 0;
        long checksum = 0;
        while (records < expected)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException($"raw consume of {topic} stalled at {records}");
            if (!result.IsPartitionEOF)
            {
                records++;
                checksum += result.Message.Value?.Length ?? 0; // touch the bytes, as any sink must
            }
        }

        return new Measure("raw consume", watch.Elapsed.TotalSeconds, records, 0, checksum);
    }

    private static async Task<Measure> SinkAsync(string name, int perTrigger, int perFile, string topic, Options options, FactoryKafkaOptions kafka, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(options.Folder, "database-" + Guid.NewGuid().ToString("N"));
        try
        {
            // A fresh consumer group per run: the sink reads from the start and commits as in production.
            var sink = new FactorySinkOptions
            {
                Topics = [topic], Group = "weir-bench-" + Guid.NewGuid().ToString("N"), SessionTimeoutSeconds = 6,
                TriggerSeconds = 0, MaxRecordsPerTrigger = perTrigger, MaxRecordsPerFile = perFile,
            };
            var watch = Stopwatch.StartNew();
            var result = (await FactorySink.RunAsync(sink, kafka, folder, loggerFactory, TimeProvider.System, null, availableNow: true, cancellationToken).ConfigureAwait(false)).Single();
            var seconds = watch.Elapsed.TotalSeconds;
            if (result.Written != options.Records)
            {
                throw new InvalidOperationException($"the sink wrote {result.Written} of {options.Records} {topic} records");
            }

            var files = Directory.GetFiles(Path.Combine(folder, topic), "*.parquet");
            return new Measure(name, seconds, result.Written, files.Length, files.Sum(f => new FileInfo(f).Length));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
