using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Pipelines.Shared;

namespace Weir.Pipelines.Fingerprint;

/// <summary>
/// `weir bench fingerprint`: events/s through the fingerprint job on a backlog (by default 10,000 equipment × 25
/// sensors) at parallelism 1 and 2 against a raw Confluent.Kafka consumer of the same topic in the same run, and,
/// on live data, the latency from a window's end plus the watermark delay to its fingerprint on the output topic,
/// against the transport latency of the readings themselves (generator → input topic → consumer) in the same run.
/// </summary>
internal static class FingerprintBenchmark
{
    internal sealed record Options
    {
        public required string Bootstrap { get; init; }

        public int Equipment { get; init; } = 10_000;

        public int Sensors { get; init; } = 25;

        /// <summary>Time between two messages of one equipment in the backlog.</summary>
        public long IntervalMs { get; init; } = 10_000;

        public long BacklogMs { get; init; } = 180_000;

        public int Partitions { get; init; } = 2;

        public int Repeats { get; init; } = 2;

        public int LiveEquipment { get; init; } = 1_000;

        public double LiveWindowMinutes { get; init; } = 0.25;

        public long LiveMs { get; init; } = 75_000;
    }

    public static async Task<string> RunAsync(Options options, TextWriter progress, CancellationToken cancellationToken)
    {
        var input = "bench-sensor-data";
        var generatorOptions = GeneratorOptions(options, options.Equipment, options.IntervalMs);
        var generator = new FingerprintGenerator(generatorOptions);
        var filled = Stopwatch.StartNew();
        await KafkaPublisher.EnsureTopicsAsync(options.Bootstrap, [new TopicSpec(input, options.Partitions)], cancellationToken).ConfigureAwait(false);
        const long start = 1_699_999_980_000; // a whole minute, so that the backlog spans whole windows
        using (var publisher = new KafkaPublisher(options.Bootstrap, "weir-bench-fingerprint", throughput: true))
        {
            await FingerprintGeneratorRunner.RunAsync(generator, publisher, input, keyed: true, GeneratorSchedule.Of(options.IntervalMs, options.BacklogMs, start),
                TimeProvider.System, NullLogger.Instance, cancellationToken).ConfigureAwait(false);
        }

        var messages = generator.Messages;
        var readings = generator.Values;
        var windowMs = (long)TimeSpan.FromMinutes(1).TotalMilliseconds;
        var windows = (start + options.BacklogMs - 1) / windowMs - start / windowMs + 1;
        var expected = windows * options.Equipment;
        await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"backlog: {messages:N0} messages, {readings:N0} readings ({generator.Nulls:N0} nulls) from {options.Equipment:N0} equipment × {options.Sensors} sensors over {options.BacklogMs / 1000} s " +
            $"in {options.Partitions} partitions, written in {filled.Elapsed.TotalSeconds:0.0} s; {expected:N0} fingerprints expected")).ConfigureAwait(false);

        _ = StreamBench.RawConsume(options.Bootstrap, input); // warm-up: JIT, broker caches, connections
        var rates = await StreamBench.InterleavedAsync(
        [
            (StreamBench.RawName, _ => StreamBench.RawRun(options.Bootstrap, input, messages)),
            (StreamBench.JobName(1), run => JobAsync(options, input, 1, run, expected, cancellationToken)),
            (StreamBench.JobName(2), run => JobAsync(options, input, 2, run, expected, cancellationToken)),
        ], options.Repeats, messages, "messages", progress).ConfigureAwait(false);

        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture,
            $"fingerprint job benchmark: {options.Equipment:N0} equipment × {options.Sensors} sensors, {messages:N0} messages ({readings:N0} non-null readings), " +
            $"{options.Partitions} partitions, median of {options.Repeats} runs\n\n");
        report.Append("| run | messages/s | readings/s | vs raw consume |\n|---|---:|---:|---:|\n");
        foreach (var (name, rate) in rates)
        {
            report.Append(CultureInfo.InvariantCulture, $"| {name} | {rate:N0} | {rate * readings / messages:N0} | {rate / rates[StreamBench.RawName]:0.00}x |\n");
        }

        report.Append('\n').Append(await LatencyAsync(options, progress, cancellationToken).ConfigureAwait(false));
        return report.ToString();
    }

    private static long FirstAtOrAfter(long[] sorted, long value)
    {
        var i = Array.BinarySearch(sorted, value);
        i = i >= 0 ? i : ~i;
        return i < sorted.Length ? sorted[i] : long.MaxValue;
    }

    private static FingerprintGeneratorOptions GeneratorOptions(Options options, int equipment, long intervalMs) => new()
    {
        EquipmentIds = [.. Enumerable.Range(1, equipment).Select(i => i.ToString(CultureInfo.InvariantCulture))],
        SensorIds = [.. Enumerable.Range(1, options.Sensors).Select(i => i.ToString("0000", CultureInfo.InvariantCulture))],
        IntervalMs = intervalMs,
        Seed = 5,
    };

    private static FingerprintSettings Settings(string input, string suffix, double windowMinutes) => new()
    {
        InputTopic = input,
        OutputTopic = "bench-fingerprint-output-" + suffix,
        LateTopic = "bench-fingerprint-late-" + suffix,
        DeadLetterTopic = "bench-fingerprint-dlq-" + suffix,
        GroupId = "bench-fingerprint-" + suffix,
        WindowSizeMinutes = windowMinutes,
    };

    private static async Task EnsureAsync(string bootstrap, FingerprintSettings settings, CancellationToken cancellationToken) =>
        await KafkaPublisher.EnsureTopicsAsync(bootstrap,
            [new TopicSpec(settings.OutputTopic, 2), new TopicSpec(settings.LateTopic), new TopicSpec(settings.DeadLetterTopic)], cancellationToken).ConfigureAwait(false);

    /// <summary>The job from a fresh group over the whole backlog to its end, every window flushed; checks the count.</summary>
    private static async Task<double> JobAsync(Options options, string input, int parallelism, int serial, long expected, CancellationToken cancellationToken)
    {
        var settings = Settings(input, serial.ToString(CultureInfo.InvariantCulture), 1);
        await EnsureAsync(options.Bootstrap, settings, cancellationToken).ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        var job = FingerprintRunner.Start(new FingerprintRun
        {
            Bootstrap = options.Bootstrap, Settings = settings, Parallelism = parallelism, UntilEnd = true, LoggerFactory = NullLoggerFactory.Instance,
        }, out var deadLetters);
        using (deadLetters)
        {
            await using (job.ConfigureAwait(false))
            {
                await using (cancellationToken.Register(job.Cancel))
                {
                    await job.Completion.ConfigureAwait(false);
                }
            }
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var written = StreamBench.Count(options.Bootstrap, settings.OutputTopic);
        return written == expected
            ? seconds
            : throw new InvalidOperationException($"the job at parallelism {parallelism} wrote {written} fingerprints, {expected} expected");
    }

    /// <summary>
    /// Live readings (wall-clock timestamps) through the running job with short windows: for each fingerprint, the
    /// time it reached a consumer of the output topic minus (window end + out-of-orderness); for each reading, the
    /// time it reached a consumer of the input topic minus its timestamp (the baseline).
    /// </summary>
    private static async Task<string> LatencyAsync(Options options, TextWriter progress, CancellationToken cancellationToken)
    {
        var input = "bench-live-sensor-data";
        var settings = Settings(input, "live", options.LiveWindowMinutes);
        await KafkaPublisher.EnsureTopicsAsync(options.Bootstrap, [new TopicSpec(input, options.Partitions)], cancellationToken).ConfigureAwait(false);
        await EnsureAsync(options.Bootstrap, settings, cancellationToken).ConfigureAwait(false);
        var watermarkMs = (long)(settings.WatermarkSeconds * 1000);
        // Fingerprints carry their window's last millisecond as the Kafka timestamp.
        using var output = new LatencyProbe(options.Bootstrap, settings.OutputTopic, r => r.Message.Timestamp.UnixTimestampMs + 1 + watermarkMs);
        using var transport = new LatencyProbe(options.Bootstrap, input, r => r.Message.Timestamp.UnixTimestampMs);
        await Task.WhenAll(output.Ready, transport.Ready).ConfigureAwait(false);
        var job = FingerprintRunner.Start(new FingerprintRun
        {
            Bootstrap = options.Bootstrap, Settings = settings, Parallelism = 1, LoggerFactory = NullLoggerFactory.Instance,
        }, out var deadLetters);
        var generator = new FingerprintGenerator(GeneratorOptions(options, options.LiveEquipment, 1_000));
        using (deadLetters)
        {
            await using (job.ConfigureAwait(false))
            {
                using var publisher = new KafkaPublisher(options.Bootstrap, "weir-bench-fingerprint-live");
                await FingerprintGeneratorRunner.RunAsync(generator, publisher, input, keyed: true, GeneratorSchedule.Live(1_000, options.LiveMs),
                    TimeProvider.System, NullLogger.Instance, cancellationToken).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                job.Cancel();
                try
                {
                    await job.Completion.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        var windows = output.Stop();
        var readings = transport.Stop();
        await progress.WriteLineAsync($"live: {generator.Messages:N0} messages, {windows.Count:N0} fingerprints").ConfigureAwait(false);
        // A window can fire once a reading at or after its end + out-of-orderness arrives (the watermark is the newest
        // event time minus the out-of-orderness minus 1 ms). Readings come once a second, so that first reading comes
        // up to a second after end + out-of-orderness: measure from it too, to see the job's own share.
        var ticks = readings.Select(r => r.ReferenceMs).Distinct().Order().ToArray();
        var fromTrigger = windows
            .Select(w => (w.ReceivedMs, Trigger: FirstAtOrAfter(ticks, w.ReferenceMs)))
            .Where(w => w.Trigger != long.MaxValue)
            .Select(w => (double)(w.ReceivedMs - w.Trigger));
        return string.Create(CultureInfo.InvariantCulture,
            $"latency, live: {options.LiveEquipment:N0} equipment × {options.Sensors} sensors every second for {options.LiveMs / 1000} s, " +
            $"{options.LiveWindowMinutes * 60:0} s windows, {settings.WatermarkSeconds:0} s out-of-orderness, job at parallelism 1 (p50 / p99 / max)\n\n" +
            $"| path | latency |\n|---|---|\n" +
            $"| reading: generator → {input} → consumer (baseline) | {StreamBench.Summary(LatencyProbe.Latencies(readings))} |\n" +
            $"| window end + {settings.WatermarkSeconds:0} s → fingerprint on {settings.OutputTopic} | {StreamBench.Summary(LatencyProbe.Latencies(windows))} |\n" +
            $"| first reading at or after window end + {settings.WatermarkSeconds:0} s (generated) → fingerprint on {settings.OutputTopic} | {StreamBench.Summary(fromTrigger)} |\n");
    }
}
