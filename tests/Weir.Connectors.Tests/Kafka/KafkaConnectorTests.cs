using System.Collections.Concurrent;
using System.Text.Json;
using Weir.Connectors.Kafka;
using Weir.Streams;
using Weir.Streams.Time;
using Weir.Streams.Windows;
using Weir.Testing;

namespace Weir.Connectors.Tests.Kafka;

public sealed record SensorEvent(string Sensor, double Value);

public sealed record SensorCount(string Id, string Sensor, long Start, int Count, double Sum);

/// <summary>The Kafka source and sink through Weir's broker over TCP, with Confluent.Kafka on the other side.</summary>
public sealed class KafkaConnectorTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private static KafkaSource<SensorEvent> Source(EmbeddedBroker broker, string topic, bool bounded = true, KafkaStartOffsets? start = null) =>
        new(new KafkaSourceOptions { BootstrapServers = broker.BootstrapServers, Topics = [topic], StopAtEndOffsets = bounded, StartFrom = start ?? KafkaStartOffsets.Earliest },
            KafkaDeserializers.Json<SensorEvent>());

    private static void WindowCounts(StreamEnvironment env, KafkaSource<SensorEvent> source, Streams.Sinks.ISink<SensorCount> sink) =>
        env.FromSource(source, WatermarkStrategy.ForBoundedOutOfOrderness<SensorEvent>(TimeSpan.FromSeconds(1)), "sensor-data")
            .KeyBy(e => e.Sensor)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10)))
            .Aggregate(
                AggregateFunction.Create<SensorEvent, (int Count, double Sum), (int Count, double Sum)>(() => (0, 0), (a, e) => (a.Count + 1, a.Sum + e.Value), a => a),
                (sensor, window, a) => new SensorCount(DeterministicId.ForWindow("counts", sensor, window).ToString(), sensor, window.Start, a.Count, a.Sum))
            .WithUid("counts")
            .SinkTo(sink);

    private static List<(int, string?, string, long)> Events(int count, int partitions, int sensors) =>
        [.. Enumerable.Range(0, count).Select(i =>
        {
            var sensor = $"s{i % sensors}";
            return (i % partitions, (string?)sensor, JsonSerializer.Serialize(new SensorEvent(sensor, i), JsonSerializerOptions.Web), 1_700_000_000_000L + i * 100L);
        })];

    private static List<SensorCount> ExpectedCounts(List<(int, string?, string, long)> events)
    {
        return [.. events
            .Select(e => (Event: JsonSerializer.Deserialize<SensorEvent>(e.Item3, JsonSerializerOptions.Web)!, Time: e.Item4))
            .GroupBy(e => (e.Event.Sensor, Start: e.Time / 10_000 * 10_000))
            .Select(g => new SensorCount(DeterministicId.ForWindow("counts", g.Key.Sensor, new TimeWindow(g.Key.Start, g.Key.Start + 10_000)).ToString(), g.Key.Sensor, g.Key.Start, g.Count(), g.Sum(e => e.Event.Value)))
            .OrderBy(c => (c.Sensor, c.Start))];
    }

    /// <summary>Runs a job that reads with <paramref name="options"/> to the end offsets it sees at start: the values read, in order.</summary>
    private static async Task<List<double>> ReadValuesAsync(string job, KafkaSourceOptions options, int parallelism = 1)
    {
        var env = StreamEnvironment.Create(new JobOptions { Name = job, Parallelism = parallelism });
        var read = new ConcurrentQueue<SensorEvent>();
        env.FromSource(new KafkaSource<SensorEvent>(options with { StopAtEndOffsets = true }, KafkaDeserializers.Json<SensorEvent>()), WatermarkStrategy.NoWatermarks<SensorEvent>(), "in")
            .ForEach(read.Enqueue);
        await env.ExecuteAsync().WaitAsync(Deadline);
        return [.. read.Select(e => e.Value).Order()];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Topic_to_window_to_topic_uses_kafka_timestamps_and_every_partition(int parallelism)
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await KafkaFixture.CreateTopicAsync(broker, "sensor-data", 3);
        await KafkaFixture.CreateTopicAsync(broker, "counts", 2);
        var events = Events(3_000, 3, 5);
        await KafkaFixture.ProduceAsync(broker, "sensor-data", events);

        var env = StreamEnvironment.Create(new JobOptions { Name = "counts", Parallelism = parallelism });
        var sink = new KafkaSink<SensorCount>(
            new KafkaSinkOptions { BootstrapServers = broker.BootstrapServers, Topic = "counts" },
            KafkaSerializers.Json<SensorCount>(key: c => c.Sensor));
        WindowCounts(env, Source(broker, "sensor-data"), sink);
        await env.ExecuteAsync().WaitAsync(Deadline);

        var expected = ExpectedCounts(events);
        var written = KafkaFixture.ReadAll(broker, "counts", 2, expected.Count);
        var actual = written.Select(r => JsonSerializer.Deserialize<SensorCount>(r.Message.Value, JsonSerializerOptions.Web)!).OrderBy(c => (c.Sensor, c.Start)).ToList();
        Assert.Equal(expected, actual);
        Assert.All(written, r => Assert.Equal(JsonSerializer.Deserialize<SensorCount>(r.Message.Value, JsonSerializerOptions.Web)!.Sensor, KafkaFixture.Text(r.Message.Key)));
        Assert.All(written, r => Assert.Equal(JsonSerializer.Deserialize<SensorCount>(r.Message.Value, JsonSerializerOptions.Web)!.Start + 9_999, r.Message.Timestamp.UnixTimestampMs));
    }

    [Fact]
    public async Task Undecodable_records_go_to_the_dead_letter_topic_with_their_bytes_and_position()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await KafkaFixture.CreateTopicAsync(broker, "sensor-data", 2);
        await KafkaFixture.CreateTopicAsync(broker, "counts-dlq", 1);
        var events = Events(100, 2, 3);
        events[17] = (1, "k17", "{not json", 1_700_000_001_700);
        events[40] = (0, null, "null", 1_700_000_004_000);
        await KafkaFixture.ProduceAsync(broker, "sensor-data", events);

        using var dlq = new KafkaDeadLetterSink(broker.BootstrapServers, "counts-dlq");
        var env = StreamEnvironment.Create(new JobOptions { Name = "counts", DeadLetters = dlq });
        var results = new ConcurrentQueue<SensorCount>();
        WindowCounts(env, Source(broker, "sensor-data"), new Streams.Sinks.CallbackSink<SensorCount>(results.Enqueue));
        await env.ExecuteAsync().WaitAsync(Deadline);

        var letters = KafkaFixture.ReadAll(broker, "counts-dlq", 1, 2);
        Assert.Equal(2, letters.Count);
        var bad = letters.Single(l => KafkaFixture.Text(l.Message.Value) == "{not json");
        Assert.Equal("k17", KafkaFixture.Text(bad.Message.Key));
        Assert.Equal("sensor-data", KafkaFixture.Header(bad, "weir.source.topic"));
        Assert.Equal("1", KafkaFixture.Header(bad, "weir.source.partition"));
        Assert.Equal("8", KafkaFixture.Header(bad, "weir.source.offset")); // record 17 is the 9th of partition 1
        Assert.Equal("1700000001700", KafkaFixture.Header(bad, "weir.source.timestamp"));
        Assert.Equal("counts", KafkaFixture.Header(bad, "weir.job"));
        Assert.StartsWith("sensor-data: deserialize", KafkaFixture.Header(bad, "weir.stage"), StringComparison.Ordinal);
        Assert.Contains("JsonException", KafkaFixture.Header(bad, "weir.error"), StringComparison.Ordinal);
        Assert.Contains(letters, l => KafkaFixture.Header(l, "weir.error").Contains("JSON null", StringComparison.Ordinal));

        // Everything else was counted.
        Assert.Equal(98, results.Sum(r => r.Count));
    }

    [Fact]
    public async Task Latest_and_timestamp_start_offsets_skip_what_came_before()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await KafkaFixture.CreateTopicAsync(broker, "sensor-data", 2);
        var early = Events(200, 2, 2);
        await KafkaFixture.ProduceAsync(broker, "sensor-data", early);

        // From a timestamp: only records at or after it.
        var fromTime = await ReadValuesAsync("from-time", new KafkaSourceOptions
        {
            BootstrapServers = broker.BootstrapServers,
            Topics = ["sensor-data"],
            StartFrom = KafkaStartOffsets.FromTimestamp(1_700_000_000_000 + 150 * 100),
        });
        Assert.Equal(Enumerable.Range(150, 50).Select(i => (double)i), fromTime);

        // From latest: nothing that was there before the job started.
        var env = StreamEnvironment.Create(new JobOptions { Name = "from-latest" });
        var fromLatest = new ConcurrentQueue<SensorEvent>();
        env.FromSource(Source(broker, "sensor-data", bounded: false, start: KafkaStartOffsets.Latest), WatermarkStrategy.NoWatermarks<SensorEvent>(), "in")
            .ForEach(fromLatest.Enqueue);
        await using var job = env.Start();
        await job.Running.WaitAsync(Deadline);
        await KafkaFixture.ProduceAsync(broker, "sensor-data", [(0, "s0", JsonSerializer.Serialize(new SensorEvent("late", 7), JsonSerializerOptions.Web), 1_800_000_000_000)]);
        await Eventually.HoldsAsync(() => !fromLatest.IsEmpty, Deadline, () => "the new record never arrived");
        Assert.Equal([new SensorEvent("late", 7)], fromLatest);
    }

    [Fact]
    public async Task Assigned_partitions_are_the_only_ones_read()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await KafkaFixture.CreateTopicAsync(broker, "sensor-data", 3);
        var events = Events(300, 3, 2);
        await KafkaFixture.ProduceAsync(broker, "sensor-data", events);

        var read = await ReadValuesAsync(
            "assigned",
            new KafkaSourceOptions { BootstrapServers = broker.BootstrapServers, Partitions = [new("sensor-data", 0), new("sensor-data", 2)] },
            parallelism: 2);
        Assert.Equal(events.Where(e => e.Item1 != 1).Select(e => JsonSerializer.Deserialize<SensorEvent>(e.Item3, JsonSerializerOptions.Web)!.Value).Order(), read);
    }

    [Fact]
    public async Task Offsets_are_committed_to_the_group_when_a_checkpoint_completes_and_a_new_job_starts_from_them()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var checkpoints = new TempDirectory("kafka-group-commits");
        await KafkaFixture.CreateTopicAsync(broker, "sensor-data", 2);
        var first = Events(400, 2, 4);
        await KafkaFixture.ProduceAsync(broker, "sensor-data", first);
        const string group = "committing-job";

        // An unbounded job with checkpoints: once it has read everything and a checkpoint completes after that,
        // the group holds the end offsets.
        var env = StreamEnvironment.Create(new JobOptions
        {
            Name = "committing",
            CheckpointDirectory = checkpoints.Path,
            CheckpointInterval = TimeSpan.FromMilliseconds(50),
        });
        var seen = new ConcurrentQueue<SensorEvent>();
        env.FromSource(
                new KafkaSource<SensorEvent>(new KafkaSourceOptions { BootstrapServers = broker.BootstrapServers, Topics = ["sensor-data"], GroupId = group }, KafkaDeserializers.Json<SensorEvent>()),
                WatermarkStrategy.NoWatermarks<SensorEvent>(),
                "in")
            .ForEach(seen.Enqueue);
        await using (var job = env.Start())
        {
            await Eventually.HoldsAsync(() => seen.Count == first.Count, Deadline, () => $"read {seen.Count} of {first.Count}");
            var committed = new TaskCompletionSource();
            job.CheckpointCompleted += _ => committed.TrySetResult();
            await committed.Task.WaitAsync(Deadline);
            await Eventually.HoldsAsync(() => Committed(broker, group) is [200, 200], Deadline, () => $"committed: {string.Join(", ", Committed(broker, group))}");
        }

        // A job without checkpoints that starts from the group's offsets reads only what came after.
        var second = Enumerable.Range(0, 50).Select(i => (i % 2, (string?)"s9", JsonSerializer.Serialize(new SensorEvent("s9", 10_000 + i), JsonSerializerOptions.Web), 1_800_000_000_000L + i)).ToList();
        await KafkaFixture.ProduceAsync(broker, "sensor-data", second);
        var rest = await ReadValuesAsync(
            "from-committed",
            new KafkaSourceOptions { BootstrapServers = broker.BootstrapServers, Topics = ["sensor-data"], GroupId = group, StartFrom = KafkaStartOffsets.Committed() });
        Assert.Equal(Enumerable.Range(10_000, 50).Select(i => (double)i), rest);
    }

    /// <summary>The group's committed offset per partition of "sensor-data" (-1 when none), as any Kafka tool reads it.</summary>
    private static long[] Committed(EmbeddedBroker broker, string group)
    {
        using var consumer = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(new Confluent.Kafka.ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = group }).Build();
        return [.. consumer.Committed([new("sensor-data", 0), new("sensor-data", 1)], TimeSpan.FromSeconds(10)).OrderBy(c => c.Partition.Value).Select(c => c.Offset.Value)];
    }
}

/// <summary>Checkpoints with the Kafka source: offsets and state restored together after the job stops anywhere.</summary>
public sealed class KafkaCheckpointTests
{
    [Fact]
    public async Task A_restarted_job_resumes_from_checkpointed_offsets_and_misses_no_window()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var checkpoints = new TempDirectory("kafka-checkpoints");
        await KafkaFixture.CreateTopicAsync(broker, "sensor-data", 3);
        await KafkaFixture.CreateTopicAsync(broker, "counts", 1);
        var events = Enumerable.Range(0, 6_000).Select(i =>
        {
            var sensor = $"s{i % 4}";
            return (i % 3, (string?)sensor, JsonSerializer.Serialize(new SensorEvent(sensor, i), JsonSerializerOptions.Web), 1_700_000_000_000L + i * 100L);
        }).ToList();
        await KafkaFixture.ProduceAsync(broker, "sensor-data", events);
        var windows = events
            .Select(e => (Sensor: e.Item2!, Start: e.Item4 / 10_000 * 10_000))
            .Distinct()
            .Count();

        var options = new JobOptions
        {
            Name = "restartable-counts",
            Parallelism = 2,
            CheckpointDirectory = checkpoints.Path,
            CheckpointInterval = TimeSpan.FromMilliseconds(30),
            BatchSize = 50,
        };

        // Three runs stopped wherever they are (after their first checkpoint), then one to the end.
        for (var run = 0; run < 4; run++)
        {
            var env = StreamEnvironment.Create(options);
            var source = new KafkaSource<SensorEvent>(
                new KafkaSourceOptions { BootstrapServers = broker.BootstrapServers, Topics = ["sensor-data"], StopAtEndOffsets = true },
                KafkaDeserializers.Json<SensorEvent>());
            var sink = new KafkaSink<SensorCount>(
                new KafkaSinkOptions { BootstrapServers = broker.BootstrapServers, Topic = "counts" },
                KafkaSerializers.Json<SensorCount>(key: c => c.Id));
            env.FromSource(source, WatermarkStrategy.ForBoundedOutOfOrderness<SensorEvent>(TimeSpan.FromSeconds(1)), "sensor-data")
                .Map(e => e with { Value = e.Value })
                .KeyBy(e => e.Sensor)
                .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10)))
                .Aggregate(
                    AggregateFunction.Create<SensorEvent, (int Count, double Sum), (int Count, double Sum)>(() => (0, 0), (a, e) => (a.Count + 1, a.Sum + e.Value), a => a),
                    (sensor, window, a) => new SensorCount(DeterministicId.ForWindow("counts", sensor, window).ToString(), sensor, window.Start, a.Count, a.Sum))
                .WithUid("counts")
                .SinkTo(sink);
            var job = env.Start();
            if (run < 3)
            {
                var completed = new TaskCompletionSource();
                job.CheckpointCompleted += _ => completed.TrySetResult();
                await Task.WhenAny(completed.Task, job.Completion).WaitAsync(TimeSpan.FromSeconds(60));
                await job.DisposeAsync();
            }
            else
            {
                await job.Completion.WaitAsync(TimeSpan.FromSeconds(90));
            }
        }

        var written = KafkaFixture.ReadAll(broker, "counts", 1, int.MaxValue, TimeSpan.FromSeconds(5));
        var distinct = written
            .GroupBy(r => KafkaFixture.Text(r.Message.Key))
            .Select(g =>
            {
                var versions = g.Select(r => KafkaFixture.Text(r.Message.Value)).Distinct().ToList();
                Assert.Single(versions); // a window written twice is written with the same contents
                return JsonSerializer.Deserialize<SensorCount>(versions[0], JsonSerializerOptions.Web)!;
            })
            .ToList();
        Assert.Equal(windows, distinct.Count);
        Assert.Equal(events.Count, distinct.Sum(c => c.Count));
        Assert.Equal(events.Sum(e => JsonSerializer.Deserialize<SensorEvent>(e.Item3, JsonSerializerOptions.Web)!.Value), distinct.Sum(c => c.Sum));
    }

    [Fact]
    public async Task A_user_function_failure_behind_the_source_sends_the_original_bytes_to_the_dead_letters()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await KafkaFixture.CreateTopicAsync(broker, "sensor-data", 1);
        await KafkaFixture.CreateTopicAsync(broker, "map-dlq", 1);
        await KafkaFixture.ProduceAsync(broker, "sensor-data",
        [
            (0, "a", JsonSerializer.Serialize(new SensorEvent("a", 1), JsonSerializerOptions.Web), 1_000),
            (0, "b", JsonSerializer.Serialize(new SensorEvent("b", -1), JsonSerializerOptions.Web), 2_000),
            (0, "c", JsonSerializer.Serialize(new SensorEvent("c", 3), JsonSerializerOptions.Web), 3_000),
        ]);
        using var dlq = new KafkaDeadLetterSink(broker.BootstrapServers, "map-dlq");
        var env = StreamEnvironment.Create(new JobOptions { Name = "checks", DeadLetters = dlq });
        var output = new ConcurrentQueue<double>();
        env.FromSource(
                new KafkaSource<SensorEvent>(new KafkaSourceOptions { BootstrapServers = broker.BootstrapServers, Topics = ["sensor-data"], StopAtEndOffsets = true }, KafkaDeserializers.Json<SensorEvent>()),
                WatermarkStrategy.NoWatermarks<SensorEvent>(),
                "sensor-data")
            .Map(e => e.Value >= 0 ? Math.Sqrt(e.Value) : throw new ArgumentOutOfRangeException(nameof(e), "negative reading"))
            .WithName("sqrt")
            .ForEach(output.Enqueue);
        await env.ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal([1.0, Math.Sqrt(3)], output.Order());
        var letter = Assert.Single(KafkaFixture.ReadAll(broker, "map-dlq", 1, 1));
        Assert.Equal("b", KafkaFixture.Text(letter.Message.Key));
        Assert.Equal(JsonSerializer.Serialize(new SensorEvent("b", -1), JsonSerializerOptions.Web), KafkaFixture.Text(letter.Message.Value));
        Assert.Equal("sqrt", KafkaFixture.Header(letter, "weir.stage"));
        Assert.Equal("1", KafkaFixture.Header(letter, "weir.source.offset"));
        Assert.Contains("negative reading", KafkaFixture.Header(letter, "weir.error"), StringComparison.Ordinal);
    }
}
