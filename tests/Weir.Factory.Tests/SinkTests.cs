using System.Globalization;
using Weir.Pipelines.Factory;
using Weir.Pipelines.Shared;
using Weir.Testing;

namespace Weir.Factory.Tests;

public sealed class SinkTests
{
    private const long T0 = 1624377478;

    [Theory]
    [InlineData("")] // no group: the sink reads every partition and resumes from its files
    [InlineData("factory-sink-test")]
    public async Task Every_valid_record_is_in_exactly_one_file_of_its_offset_range_and_the_rest_are_dead_letters(string group)
    {
        using var data = new TempDirectory("factory-sink");
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        var kafka = FactoryKafka.Options(broker.BootstrapServers);
        await FactoryTopics.EnsureAsync(kafka, ["metrics", "workorder"], CancellationToken.None);
        var (metrics, badMetrics) = MetricsRecords(first: 0, count: 600);
        FactoryKafka.Produce(broker.BootstrapServers, "metrics", metrics);
        FactoryKafka.Produce(broker.BootstrapServers, "workorder", WorkOrders(200));
        var options = new FactorySinkOptions { Group = group, SessionTimeoutSeconds = 6, TriggerSeconds = 0, MaxRecordsPerTrigger = 97, MaxRecordsPerFile = 20 };

        var results = await FactorySink.RunAsync(options, kafka, data.Combine("database"), FactoryKafka.Logs, TimeProvider.System, null, availableNow: true, CancellationToken.None);

        var metricsResult = results.Single(r => r.Topic == "metrics");
        Assert.Equal(metrics.Count, metricsResult.Consumed);
        Assert.Equal(badMetrics, metricsResult.DeadLetters);
        Assert.Equal(metrics.Count - badMetrics, metricsResult.Written);
        Assert.True(metricsResult.Batches >= 7, $"{metricsResult.Batches} micro-batches of at most 97 records");
        AssertFilesHoldExactlyTheValidRecords(broker.BootstrapServers, "metrics", data.Combine("database", "metrics"), maxRowsPerFile: 20);
        AssertFilesHoldExactlyTheValidRecords(broker.BootstrapServers, "workorder", data.Combine("database", "workorder"), maxRowsPerFile: 20);

        var letters = FactoryKafka.ReadAll(broker.BootstrapServers, options.DeadLetterTopic);
        Assert.Equal(badMetrics, letters.Count);
        var sources = FactoryKafka.ReadAll(broker.BootstrapServers, "metrics")
            .ToDictionary(r => (r.Partition.Value, r.Offset.Value));
        foreach (var letter in letters)
        {
            var source = sources[(int.Parse(FactoryKafka.Header(letter, "weir.source.partition"), CultureInfo.InvariantCulture),
                long.Parse(FactoryKafka.Header(letter, "weir.source.offset"), CultureInfo.InvariantCulture))];
            Assert.Equal(source.Message.Value ?? [], letter.Message.Value ?? []);
            Assert.Equal(source.Message.Key, letter.Message.Key);
            Assert.Equal("metrics", FactoryKafka.Header(letter, "weir.source.topic"));
            Assert.Equal("factory-sink", FactoryKafka.Header(letter, "weir.job"));
            Assert.Equal("validate", FactoryKafka.Header(letter, "weir.stage"));
            Assert.Equal(source.Message.Timestamp.UnixTimestampMs.ToString(CultureInfo.InvariantCulture), FactoryKafka.Header(letter, "weir.source.timestamp"));
            Assert.False(string.IsNullOrWhiteSpace(FactoryKafka.Header(letter, "weir.error")));
        }

        Assert.Contains(letters, l => FactoryKafka.Header(l, "weir.error") == "field 'val' must be a number within float32 range, got string \"high\"");
        Assert.Contains(letters, l => FactoryKafka.Header(l, "weir.error") == "empty record");
    }

    [Theory]
    [InlineData("")]
    [InlineData("factory-sink-test")]
    public async Task A_restarted_sink_continues_after_its_last_file_and_rewrites_nothing(string group)
    {
        using var data = new TempDirectory("factory-sink");
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        var kafka = FactoryKafka.Options(broker.BootstrapServers);
        var options = new FactorySinkOptions { Group = group, SessionTimeoutSeconds = 6, Topics = ["metrics"], TriggerSeconds = 0, MaxRecordsPerTrigger = 50, MaxRecordsPerFile = 1000 };
        await FactoryTopics.EnsureAsync(kafka, ["metrics"], CancellationToken.None);
        FactoryKafka.Produce(broker.BootstrapServers, "metrics", MetricsRecords(0, 300).Records);
        await FactorySink.RunAsync(options, kafka, data.Combine("database"), FactoryKafka.Logs, TimeProvider.System, null, availableNow: true, CancellationToken.None);
        var firstFiles = Directory.GetFiles(data.Combine("database", "metrics")).ToDictionary(f => f, File.ReadAllBytes);

        FactoryKafka.Produce(broker.BootstrapServers, "metrics", MetricsRecords(300, 200).Records);
        var second = await FactorySink.RunAsync(options, kafka, data.Combine("database"), FactoryKafka.Logs, TimeProvider.System, null, availableNow: true, CancellationToken.None);

        Assert.Equal(200, Assert.Single(second).Consumed);
        Assert.All(firstFiles, f => Assert.Equal(f.Value, File.ReadAllBytes(f.Key)));
        AssertFilesHoldExactlyTheValidRecords(broker.BootstrapServers, "metrics", data.Combine("database", "metrics"), maxRowsPerFile: 1000);
    }

    [Fact]
    public async Task Files_written_but_not_committed_win_over_the_committed_offsets()
    {
        // A crash between renaming a file and committing its offsets: the group says 0, the files say more.
        using var data = new TempDirectory("factory-sink");
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        var kafka = FactoryKafka.Options(broker.BootstrapServers);
        var options = new FactorySinkOptions { Group = "factory-sink-test", SessionTimeoutSeconds = 6, Topics = ["metrics"], TriggerSeconds = 0 };
        await FactoryTopics.EnsureAsync(kafka, ["metrics"], CancellationToken.None);
        FactoryKafka.Produce(broker.BootstrapServers, "metrics", MetricsRecords(0, 300).Records);
        await FactorySink.RunAsync(options, kafka, data.Combine("database"), FactoryKafka.Logs, TimeProvider.System, null, availableNow: true, CancellationToken.None);
        FactoryKafka.CommitOffsets(broker.BootstrapServers, options.Group, "metrics", [0, 1, 2], offset: 0);

        var again = await FactorySink.RunAsync(options, kafka, data.Combine("database"), FactoryKafka.Logs, TimeProvider.System, null, availableNow: true, CancellationToken.None);

        Assert.Equal(0, Assert.Single(again).Consumed);
        AssertFilesHoldExactlyTheValidRecords(broker.BootstrapServers, "metrics", data.Combine("database", "metrics"), maxRowsPerFile: 10_000);
    }

    [Fact]
    public async Task Committed_offsets_cover_ranges_that_held_only_dead_letters()
    {
        // Such a range leaves no file; in a group, its committed offset keeps a restart from sending the letters again.
        using var data = new TempDirectory("factory-sink");
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        var kafka = FactoryKafka.Options(broker.BootstrapServers);
        var options = new FactorySinkOptions { Group = "factory-sink-test", SessionTimeoutSeconds = 6, Topics = ["metrics"], TriggerSeconds = 0 };
        await FactoryTopics.EnsureAsync(kafka, ["metrics", options.DeadLetterTopic], CancellationToken.None);
        FactoryKafka.Produce(broker.BootstrapServers, "metrics", Enumerable.Range(0, 40).Select(i => ((string?)"7", $"broken {i}")));

        var first = Assert.Single(await FactorySink.RunAsync(options, kafka, data.Combine("database"), FactoryKafka.Logs, TimeProvider.System, null, availableNow: true, CancellationToken.None));
        var second = Assert.Single(await FactorySink.RunAsync(options, kafka, data.Combine("database"), FactoryKafka.Logs, TimeProvider.System, null, availableNow: true, CancellationToken.None));

        Assert.Equal(40, first.DeadLetters);
        Assert.Equal(0, second.Consumed);
        Assert.Empty(Directory.GetFiles(data.Combine("database", "metrics")));
        Assert.Equal(40, FactoryKafka.ReadAll(broker.BootstrapServers, options.DeadLetterTopic).Count);
    }

    [Fact]
    public async Task Console_output_prints_each_micro_batch_as_a_table()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        var kafka = FactoryKafka.Options(broker.BootstrapServers);
        await FactoryTopics.EnsureAsync(kafka, ["workorder"], CancellationToken.None);
        FactoryKafka.Produce(broker.BootstrapServers, "workorder", WorkOrders(30));
        using var console = new StringWriter();

        await FactorySink.RunAsync(new FactorySinkOptions { Group = "", Topics = ["workorder"], Output = "console", TriggerSeconds = 0 },
            kafka, "unused", FactoryKafka.Logs, TimeProvider.System, console, availableNow: true, CancellationToken.None);

        var text = console.ToString();
        Assert.Contains("Batch: 0 (workorder)", text, StringComparison.Ordinal);
        Assert.Contains("|               time|product|production|", text, StringComparison.Ordinal);
        Assert.Contains("|2021-06-22 15:57:58|      0|         0|", text, StringComparison.Ordinal);
        Assert.Contains("only showing top 20 rows", text, StringComparison.Ordinal);
    }

    /// <summary>Valid metrics interleaved with invalid ones (every 37th), keyed by id; returns how many are invalid.</summary>
    internal static (List<(string? Key, string Value)> Records, int Invalid) MetricsRecords(int first, int count)
    {
        var records = new List<(string?, string)>();
        var invalid = 0;
        for (var i = first; i < first + count; i++)
        {
            var id = i % 20;
            if (i % 37 == 5)
            {
                invalid++;
                records.Add((id.ToString(CultureInfo.InvariantCulture), (i / 37 % 4) switch
                {
                    0 => $$"""{"id": {{id}}, "val": "high", "time": {{T0 + i}}}""",
                    1 => $$"""{"id": {{id}}, "time": {{T0 + i}}}""",
                    2 => "not json at all",
                    _ => "",
                }));
                continue;
            }

            records.Add((id.ToString(CultureInfo.InvariantCulture), $$"""{"id": {{id}}, "val": {{PythonJson.Float(i * 1.37 - 300)}}, "time": {{T0 + i}}}"""));
        }

        return (records, invalid);
    }

    internal static List<(string? Key, string Value)> WorkOrders(int count) =>
        [.. Enumerable.Range(0, count).Select(i => ((string?)(i % 2).ToString(CultureInfo.InvariantCulture),
            $$"""{"time": {{T0 + i * 5000}}, "product": {{i % 2}}, "production": {{(i < 2 ? "0" : PythonJson.Float(i * 10.5))}}}"""))];

    /// <summary>
    /// Reads every sink file with ParquetSharp and checks it against the topic itself: file ranges never overlap, each
    /// file holds exactly the valid records of its range in offset order, and every valid record is in a file.
    /// </summary>
    internal static void AssertFilesHoldExactlyTheValidRecords(string bootstrap, string topic, string folder, int maxRowsPerFile)
    {
        var schema = FactorySchemas.ByName(topic);
        var decoder = new Weir.Connectors.Parquet.JsonRecordDecoder(schema);
        var valid = new Dictionary<(int Partition, long Offset), string[]>();
        foreach (var record in FactoryKafka.ReadAll(bootstrap, topic))
        {
            var batch = new Weir.Connectors.Parquet.ColumnBatch(schema, 1);
            if (decoder.TryAppend(record.Message.Value, batch, out _))
            {
                valid[(record.Partition.Value, record.Offset.Value)] = RowText(batch);
            }
        }

        var files = Directory.GetFiles(folder, "*.parquet").Select(FactoryKafka.ReadSinkFile).ToList();
        Assert.Empty(Directory.GetFiles(folder, ".*")); // no temporary file left behind
        var seen = new HashSet<(int, long)>();
        foreach (var partition in files.GroupBy(f => f.File.Partition))
        {
            long previousLast = -1;
            foreach (var (file, rows) in partition.OrderBy(f => f.File.FirstOffset))
            {
                Assert.True(file.FirstOffset > previousLast, $"{file.Path} overlaps the file before it");
                Assert.True(file.LastOffset >= file.FirstOffset, file.Path);
                previousLast = file.LastOffset;
                var expected = valid.Where(v => v.Key.Partition == partition.Key && v.Key.Offset >= file.FirstOffset && v.Key.Offset <= file.LastOffset)
                    .OrderBy(v => v.Key.Offset).ToList();
                Assert.InRange(rows.Count, 1, maxRowsPerFile);
                Assert.Equal(expected.Select(e => string.Join("|", e.Value)), rows.Select(r => string.Join("|", r)));
                foreach (var e in expected)
                {
                    Assert.True(seen.Add(e.Key), $"record {e.Key} is in two files");
                }
            }
        }

        var missing = valid.Keys.Where(k => !seen.Contains(k)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} valid records are in no file, e.g. {string.Join(", ", missing.Take(5))}");
    }

    private static string[] RowText(Weir.Connectors.Parquet.ColumnBatch row) =>
        [.. row.Schema.Columns.Select((c, i) => c.Type switch
        {
            Weir.Connectors.Parquet.ColumnType.Int32 => row.Int32s(i)[0].ToString(CultureInfo.InvariantCulture),
            Weir.Connectors.Parquet.ColumnType.Float32 => row.Float32s(i)[0].ToString("R", CultureInfo.InvariantCulture),
            Weir.Connectors.Parquet.ColumnType.Timestamp => ((row.Timestamps(i)[0] - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException(),
        })];
}
