using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

namespace Weir.Pipelines.Shared;

/// <summary>
/// Pieces shared by the pipeline benchmarks (`weir bench fingerprint`, `weir bench rtls`): a raw-consume baseline,
/// topic record counts, and a latency probe that timestamps records as a consumer of the topic receives them.
/// </summary>
internal static class StreamBench
{
    public const string RawName = "raw consume (baseline)";

    public static string JobName(int parallelism) => $"job, parallelism {parallelism}";

    /// <summary>
    /// Runs each kind of measurement <paramref name="repeats"/> times, interleaved and in a different order each
    /// time (no kind always runs first on a noisy machine), and returns the median rate of each: units per second.
    /// A run gets a serial number (for fresh topic and group names) and returns the seconds it took.
    /// </summary>
    public static async Task<Dictionary<string, double>> InterleavedAsync(
        IReadOnlyList<(string Name, Func<int, Task<double>> Run)> kinds, int repeats, long units, string unit, TextWriter progress)
    {
        var rates = kinds.ToDictionary(k => k.Name, _ => new List<double>(), StringComparer.Ordinal);
        var serial = 0;
        for (var repeat = 0; repeat < repeats; repeat++)
        {
            var line = new List<string>();
            for (var k = 0; k < kinds.Count; k++)
            {
                var (name, run) = kinds[(k + repeat) % kinds.Count];
                var rate = units / await run(serial++).ConfigureAwait(false);
                rates[name].Add(rate);
                line.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {rate:N0} {unit}/s"));
            }

            await progress.WriteLineAsync($"  run {repeat + 1}: {string.Join(", ", line)}").ConfigureAwait(false);
        }

        return rates.ToDictionary(r => r.Key, r => Median(r.Value), StringComparer.Ordinal);
    }

    /// <summary><see cref="RawConsume"/> as a run of <see cref="InterleavedAsync"/>: fails unless it read <paramref name="expected"/> records.</summary>
    public static Task<double> RawRun(string bootstrap, string topic, long expected)
    {
        var (records, seconds) = RawConsume(bootstrap, topic);
        return records == expected ? Task.FromResult(seconds) : throw new InvalidOperationException($"raw consume of {topic} read {records} of {expected}");
    }

    /// <summary>
    /// The throughput baseline: a plain Confluent.Kafka consumer reading every record of <paramref name="topic"/> up to
    /// its current end and touching its bytes. Returns the records read and the seconds it took.
    /// </summary>
    public static (long Records, double Seconds) RawConsume(string bootstrap, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "weir-bench-raw",
            EnableAutoCommit = false,
        }).Build();
        var ends = EndOffsets(consumer, bootstrap, topic);
        var expected = ends.Sum(e => e.High);
        var watch = Stopwatch.StartNew();
        consumer.Assign(ends.Select(e => new TopicPartitionOffset(topic, e.Partition, Offset.Beginning)));
        long records = 0;
        long checksum = 0;
        while (records < expected)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException($"raw consume of {topic} stalled at {records} of {expected}");
            records++;
            checksum += result.Message.Value?.Length ?? 0; // touch the bytes, as any job must
        }

        GC.KeepAlive(checksum);
        return (records, watch.Elapsed.TotalSeconds);
    }

    /// <summary>Records in the topic (the sum of its partitions' end offsets; the benchmarks never delete).</summary>
    public static long Count(string bootstrap, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "weir-bench-count" }).Build();
        return EndOffsets(consumer, bootstrap, topic).Sum(e => e.High);
    }

    private static List<(int Partition, long High)> EndOffsets(IConsumer<byte[]?, byte[]?> consumer, string bootstrap, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single();
        return metadata.Partitions
            .Select(p => (p.PartitionId, consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), TimeSpan.FromSeconds(10)).High.Value))
            .ToList();
    }

    /// <summary>
    /// Dead letters of a topic counted by the kind of error: the "weir.error" header up to its first ':' or quote
    /// ("stale reading", "incomplete window", ...).
    /// </summary>
    public static string Reasons(string bootstrap, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "weir-bench-reasons", EnableAutoCommit = false }).Build();
        var ends = EndOffsets(consumer, bootstrap, topic);
        var expected = ends.Sum(e => e.High);
        consumer.Assign(ends.Select(e => new TopicPartitionOffset(topic, e.Partition, Offset.Beginning)));
        var kinds = new Dictionary<string, long>(StringComparer.Ordinal);
        for (long read = 0; read < expected; read++)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException($"reading {topic} stalled");
            var error = result.Message.Headers.TryGetLastBytes("weir.error", out var bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : "(no reason)";
            var cut = error.IndexOfAny([':', '\'']);
            var kind = (cut > 0 ? error[..cut] : error).Trim();
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }

        return string.Join(", ", kinds.OrderByDescending(k => k.Value).Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Key} {k.Value:N0}")));
    }

    /// <summary>The q-quantile (0..1) of sorted values, nearest rank.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[(sorted.Count / 2)]) / 2;
    }

    /// <summary>"p50 / p99 / max" of latencies in ms, with the count.</summary>
    public static string Summary(IEnumerable<double> latencies)
    {
        var sorted = latencies.Order().ToList();
        return sorted.Count == 0 ? "no samples" : string.Create(CultureInfo.InvariantCulture,
            $"{Quantile(sorted, 0.5):0} / {Quantile(sorted, 0.99):0} / {sorted[^1]:0} ms ({sorted.Count:N0} samples)");
    }
}

/// <summary>
/// Reads a topic from its current end on a thread of its own and records, for every record, the wall-clock time it
/// arrived and a reference time the caller takes from the record (an event time, a window end): their difference is
/// the latency as a consumer of the topic sees it.
/// </summary>
internal sealed class LatencyProbe : IDisposable
{
    private readonly List<(long ReceivedMs, long ReferenceMs)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly TaskCompletionSource _assigned = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="reference">The record's reference time in epoch ms, or null to skip it.</param>
    public LatencyProbe(string bootstrap, string topic, Func<ConsumeResult<byte[]?, byte[]?>, long?> reference)
    {
        _thread = new Thread(() =>
        {
            using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
            {
                BootstrapServers = bootstrap,
                GroupId = "weir-bench-probe-" + Guid.NewGuid().ToString("N"),
                EnableAutoCommit = false,
                FetchWaitMaxMs = 5,
            }).Build();
            using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
            {
                var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions;
                consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p.PartitionId, Offset.End)));
            }

            _assigned.TrySetResult();
            while (!_stop.IsCancellationRequested)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result?.Message is null)
                {
                    continue;
                }

                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                if (reference(result) is { } at)
                {
                    lock (_samples)
                    {
                        _samples.Add((now, at));
                    }
                }
            }
        })
        { IsBackground = true, Name = "latency-probe " + topic };
        _thread.Start();
    }

    /// <summary>Completes once the probe reads from the topic's end (records produced later are all seen).</summary>
    public Task Ready => _assigned.Task;

    /// <summary>Stops reading and returns what it saw: arrival and reference time of each record, epoch ms.</summary>
    public List<(long ReceivedMs, long ReferenceMs)> Stop()
    {
        _stop.Cancel();
        _thread.Join();
        lock (_samples)
        {
            return [.. _samples];
        }
    }

    /// <summary>Arrival minus reference time of each record, ms.</summary>
    public static IEnumerable<double> Latencies(IEnumerable<(long ReceivedMs, long ReferenceMs)> samples) =>
        samples.Select(s => (double)(s.ReceivedMs - s.ReferenceMs));

    public void Dispose()
    {
        if (_thread.IsAlive)
        {
            Stop();
        }

        _stop.Dispose();
    }
}
