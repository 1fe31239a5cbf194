using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Weir.Broker;
using Weir.Connectors.Kafka;
using Weir.Streams;

namespace Weir.Cli.Engine;

/// <summary>What `weir bench engine` measures.</summary>
internal sealed record EngineBenchSettings
{
    /// <summary>Null: start an embedded broker in a temporary folder.</summary>
    public string? Bootstrap { get; init; }

    public int Events { get; init; } = 1_000_000;

    public int Partitions { get; init; } = 4;

    public int Sensors { get; init; } = 1_000;

    public IReadOnlyList<int> Parallelisms { get; init; } = [1, 2];

    /// <summary>Readings per second the latency phase writes.</summary>
    public int Rate { get; init; } = 20_000;

    public TimeSpan LatencyDuration { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan OutOfOrderness { get; init; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>
/// End to end through a Kafka broker: JSON readings in a topic → the demo job (KeyBy sensor, one-second tumbling
/// event-time windows, count/min/max/mean) → results in a topic. Throughput: a backlog of readings read to its
/// end (events/s from job start to job end, checkpoints every second included). Latency: readings written live at
/// a fixed rate with event time = wall-clock time, and at every window result the job's processing time minus
/// its watermark (Flink's measure of event-time latency; it includes the configured out-of-orderness).
/// </summary>
internal static class EngineBenchmark
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task RunAsync(EngineBenchSettings settings, ILoggerFactory loggers, TextWriter output, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"weir-bench-engine-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        BrokerServer? broker = null;
        try
        {
            var bootstrap = settings.Bootstrap;
            if (bootstrap is null)
            {
                broker = new BrokerServer(new BrokerOptions { Listen = "127.0.0.1:0", DataDirectory = Path.Combine(folder, "broker"), RetentionMs = -1 }, loggers);
                await broker.StartAsync(cancellationToken).ConfigureAwait(false);
                bootstrap = broker.BootstrapServers;
            }

            var run = Guid.NewGuid().ToString("N")[..6];
            output.WriteLine($"engine benchmark: broker {(broker is null ? bootstrap : $"embedded at {bootstrap}")}, {Environment.ProcessorCount} cores, {settings.Partitions} partitions, {settings.Sensors} sensors, windows of 1 s");
            var backlog = $"bench-events-{run}";
            await CreateTopicsAsync(bootstrap, [backlog, .. settings.Parallelisms.Select(p => $"bench-windows-{run}-p{p}")], settings.Partitions).ConfigureAwait(false);
            var produced = Stopwatch.StartNew();
            await ProduceBacklogAsync(bootstrap, backlog, settings).ConfigureAwait(false);
            output.WriteLine($"backlog: {settings.Events:N0} readings written in {produced.Elapsed.TotalSeconds:F1} s ({settings.Events / produced.Elapsed.TotalSeconds:N0}/s)");

            var consumed = Stopwatch.StartNew();
            ReadBacklog(bootstrap, backlog, settings);
            var baseline = settings.Events / consumed.Elapsed.TotalSeconds;
            output.WriteLine($"baseline: a plain Confluent.Kafka consumer reads the backlog at {baseline:N0} events/s (no decoding, no processing)");
            foreach (var parallelism in settings.Parallelisms)
            {
                var (seconds, windows) = await ThroughputAsync(bootstrap, backlog, $"bench-windows-{run}-p{parallelism}", parallelism, Path.Combine(folder, $"throughput-p{parallelism}"), settings, loggers, cancellationToken).ConfigureAwait(false);
                output.WriteLine($"throughput p={parallelism}: {settings.Events / seconds:N0} events/s, {settings.Events / seconds / baseline:F2}x the plain consumer ({settings.Events:N0} readings, {windows:N0} window results, {seconds:F2} s)");
            }

            foreach (var parallelism in settings.Parallelisms)
            {
                var live = $"bench-live-{run}-p{parallelism}";
                await CreateTopicsAsync(bootstrap, [live, $"{live}-windows"], settings.Partitions).ConfigureAwait(false);
                var samples = await LatencyAsync(bootstrap, live, parallelism, Path.Combine(folder, $"latency-p{parallelism}"), settings, loggers, cancellationToken).ConfigureAwait(false);
                if (samples.Count == 0)
                {
                    output.WriteLine($"latency p={parallelism}: no window results during the measurement");
                    continue;
                }

                samples.Sort();
                output.WriteLine(
                    $"latency p={parallelism}: processing time - watermark at window results, {settings.Rate:N0} readings/s: p50 {Percentile(samples, 0.50)} ms, p99 {Percentile(samples, 0.99)} ms, max {samples[^1]} ms " +
                    $"({samples.Count:N0} window results; out-of-orderness {settings.OutOfOrderness.TotalMilliseconds} ms included)");
            }
        }
        finally
        {
            if (broker is not null)
            {
                await broker.DisposeAsync().ConfigureAwait(false);
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The baseline: one Confluent.Kafka consumer reading every partition of the backlog to its end.</summary>
    private static void ReadBacklog(string bootstrap, string topic, EngineBenchSettings settings)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = $"bench-baseline-{topic}", EnableAutoCommit = false }).Build();
        consumer.Assign(Enumerable.Range(0, settings.Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var read = 0;
        while (read < settings.Events)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(10)) is null)
            {
                throw new InvalidOperationException($"baseline consumer: only {read} of {settings.Events} readings arrived");
            }

            read++;
        }
    }

    private static long Percentile(List<long> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task<(double Seconds, long Windows)> ThroughputAsync(
        string bootstrap, string input, string output, int parallelism, string checkpoints, EngineBenchSettings settings, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var env = WindowDemoJob.Build(Settings(bootstrap, input, output, parallelism, checkpoints, settings) with { StopAtEnd = true }, loggers, null);
        var watch = Stopwatch.StartNew();
        await using var job = env.Start();
        await using (cancellationToken.Register(job.Cancel))
        {
            await job.Completion.ConfigureAwait(false);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        return (seconds, job.Describe().Operators.Single(o => o.Name == output).RecordsOut);
    }

    private static async Task<List<long>> LatencyAsync(
        string bootstrap, string topic, int parallelism, string checkpoints, EngineBenchSettings settings, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var probe = new LagProbe();
        var env = WindowDemoJob.Build(
            Settings(bootstrap, topic, $"{topic}-windows", parallelism, checkpoints, settings) with { StartFrom = KafkaStartOffsets.Latest },
            loggers,
            null,
            windows => windows.Process(probe).WithName("lag probe").ForEach(_ => { }, "probe sink"));
        await using var job = env.Start();
        await job.Running.WaitAsync(cancellationToken).ConfigureAwait(false);

        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 2 }).Build();
        var watch = Stopwatch.StartNew();
        var warmUp = TimeSpan.FromSeconds(3);
        long written = 0;
        while (watch.Elapsed < settings.LatencyDuration + warmUp && !cancellationToken.IsCancellationRequested)
        {
            probe.Measuring = watch.Elapsed >= warmUp;
            var due = (long)(watch.Elapsed.TotalSeconds * settings.Rate);
            for (; written < due; written++)
            {
                var sensor = $"s{written % settings.Sensors}";
                var reading = new DemoEvent(sensor, written % 1000 / 10.0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                producer.Produce(
                    new TopicPartition(topic, (int)(written % settings.Partitions)),
                    new Message<string, string> { Key = sensor, Value = JsonSerializer.Serialize(reading, Json) });
            }

            producer.Poll(TimeSpan.Zero);
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }

        probe.Measuring = false;
        producer.Flush(TimeSpan.FromSeconds(10));
        job.Cancel();
        return [.. probe.Samples];
    }

    private static WindowDemoSettings Settings(string bootstrap, string input, string output, int parallelism, string checkpoints, EngineBenchSettings settings) => new()
    {
        Bootstrap = bootstrap,
        JobName = $"bench-p{parallelism}",
        Input = input,
        Output = output,
        DeadLetterTopic = null,
        Parallelism = parallelism,
        OutOfOrderness = settings.OutOfOrderness,
        CheckpointDirectory = checkpoints,
        CheckpointInterval = TimeSpan.FromSeconds(1),
    };

    private static async Task CreateTopicsAsync(string bootstrap, IEnumerable<string> topics, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        await admin.CreateTopicsAsync(topics.Select(t => new TopicSpecification { Name = t, NumPartitions = partitions, ReplicationFactor = 1 })).ConfigureAwait(false);
    }

    /// <summary>Readings 100 µs apart in event time (10 000 per second of event time), partition = reading mod partitions.</summary>
    private static async Task ProduceBacklogAsync(string bootstrap, string topic, EngineBenchSettings settings)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 20, BatchSize = 1 << 20 }).Build();
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - settings.Events / 10;
        for (var i = 0; i < settings.Events; i++)
        {
            var sensor = $"s{i % settings.Sensors}";
            var value = JsonSerializer.Serialize(new DemoEvent(sensor, i % 1000 / 10.0, start + i / 10), Json);
            while (true)
            {
                try
                {
                    producer.Produce(new TopicPartition(topic, i % settings.Partitions), new Message<string, string> { Key = sensor, Value = value });
                    break;
                }
                catch (ProduceException<string, string> error) when (error.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        await Task.Run(() => producer.Flush(TimeSpan.FromMinutes(5))).ConfigureAwait(false);
    }

    /// <summary>
    /// At every window result, while measuring: processing time minus the window's last millisecond. The result is
    /// emitted when the watermark reaches that millisecond, and live readings carry wall-clock event time, so this
    /// is processing time minus the watermark that fired the window.
    /// </summary>
    private sealed class LagProbe : ProcessFunction<DemoWindow, DemoWindow>
    {
        // Shared by every subtask's copy of the function.
        private readonly ProbeState _state = new();

        public ConcurrentQueue<long> Samples => _state.Samples;

        public bool Measuring
        {
            get => _state.Measuring;
            set => _state.Measuring = value;
        }

        public override void ProcessElement(DemoWindow value, ProcessContext context, Collector<DemoWindow> output)
        {
            if (_state.Measuring)
            {
                _state.Samples.Enqueue(context.CurrentProcessingTime - (value.End - 1));
            }

            output.Collect(value);
        }

        private sealed class ProbeState
        {
            public ConcurrentQueue<long> Samples { get; } = new();

            public volatile bool Measuring;
        }
    }
}
