using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Pipelines.Rtls.Simulation;
using Weir.Pipelines.Shared;

namespace Weir.Pipelines.Rtls;

/// <summary>
/// `weir bench rtls`: packets/s through the RTLS job on a simulated backlog (by default 10,000 tags and 50 anchors on
/// a grid) at parallelism 1 and 2 against a raw Confluent.Kafka consumer of the same topic in the same run, and, on
/// live packets, the latency from a window's third packet to its position on out_data, against the transport latency
/// of the packets themselves (simulator → packet_data → consumer) in the same run.
/// </summary>
internal static class RtlsBenchmark
{
    internal sealed record Options
    {
        public required string Bootstrap { get; init; }

        public int Tags { get; init; } = 10_000;

        public int Anchors { get; init; } = 50;

        public long BacklogMs { get; init; } = 10_000;

        public int Partitions { get; init; } = 2;

        public int Repeats { get; init; } = 2;

        public int LiveTags { get; init; } = 1_000;

        public long LiveMs { get; init; } = 30_000;
    }

    public static async Task<string> RunAsync(Options options, TextWriter progress, CancellationToken cancellationToken)
    {
        var plan = FloorPlan.Grid(options.Anchors);
        var topics = new RtlsTopics("bench-packet-data", "bench-packet-alive", null, KeyByAnchor: true);
        var filled = Stopwatch.StartNew();
        var (packets, ranges) = await SimulateAsync(options, plan, topics, options.Tags, GeneratorSchedule.Of(1_000, options.BacklogMs, 1_700_000_000_000), cancellationToken).ConfigureAwait(false);
        await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"backlog: {packets:N0} packets ({ranges:N0} ranges) from {options.Tags:N0} tags and {plan.Anchors.Count} anchors over {options.BacklogMs / 1000} s " +
            $"in {options.Partitions} partitions, written in {filled.Elapsed.TotalSeconds:0.0} s")).ConfigureAwait(false);

        _ = StreamBench.RawConsume(options.Bootstrap, topics.Data); // warm-up: JIT, broker caches, connections
        var outcomes = new Dictionary<string, (long Positions, string Rejected)>(StringComparer.Ordinal);
        var rates = await StreamBench.InterleavedAsync(
        [
            (StreamBench.RawName, _ => StreamBench.RawRun(options.Bootstrap, topics.Data, packets)),
            (StreamBench.JobName(1), run => JobAsync(options, plan, topics, 1, run, outcomes, cancellationToken)),
            (StreamBench.JobName(2), run => JobAsync(options, plan, topics, 2, run, outcomes, cancellationToken)),
        ], options.Repeats, packets, "packets", progress).ConfigureAwait(false);

        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture,
            $"rtls job benchmark: {options.Tags:N0} tags, {plan.Anchors.Count} anchors (grid, 10 m apart, 15 m range), {packets:N0} packets of one range each, " +
            $"{options.Partitions} partitions keyed by anchor, median of {options.Repeats} runs\n\n");
        report.Append("| run | packets/s | vs raw consume | positions written (last run) | readings to dead letters (last run) |\n|---|---:|---:|---:|---|\n");
        foreach (var (name, rate) in rates)
        {
            var outcome = outcomes.GetValueOrDefault(name, (-1, "-"));
            report.Append(CultureInfo.InvariantCulture,
                $"| {name} | {rate:N0} | {rate / rates[StreamBench.RawName]:0.00}x | {(outcome.Positions >= 0 ? outcome.Positions.ToString("N0", CultureInfo.InvariantCulture) : "-")} | {outcome.Rejected} |\n");
        }

        report.Append('\n').Append(await LatencyAsync(options, plan, progress, cancellationToken).ConfigureAwait(false));
        return report.ToString();
    }

    private static async Task<(long Packets, long Ranges)> SimulateAsync(Options options, FloorPlan plan, RtlsTopics topics, int tags, GeneratorSchedule schedule, CancellationToken cancellationToken)
    {
        await KafkaPublisher.EnsureTopicsAsync(options.Bootstrap, [new TopicSpec(topics.Data, options.Partitions), new TopicSpec(topics.Alive, options.Partitions)], cancellationToken).ConfigureAwait(false);
        var startMs = schedule.StartMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var simulator = new RtlsSimulator(plan, new RtlsSimulatorOptions { Tags = tags, IntervalMs = 1_000, Seed = 3 }, startMs);
        using var publisher = new KafkaPublisher(options.Bootstrap, "weir-bench-rtls", throughput: schedule.Backlog);
        await RtlsSimulatorRunner.RunAsync(simulator, plan, publisher, topics, schedule with { StartMs = startMs }, null, TimeProvider.System, NullLogger.Instance, cancellationToken).ConfigureAwait(false);
        return (StreamBench.Count(options.Bootstrap, topics.Data), simulator.Measured);
    }

    private static RtlsSettings Settings(FloorPlan plan, RtlsTopics topics, string suffix) => new()
    {
        DataTopic = topics.Data,
        AliveTopic = topics.Alive,
        OutputTopic = "bench-out-data-" + suffix,
        AliveOutputTopic = "bench-out-alive-" + suffix,
        DeadLetterTopic = "bench-rtls-dlq-" + suffix,
        GroupId = "bench-rtls-" + suffix,
        AnchorsTopic = "",
        Anchors = plan.Anchors.Entries.ToDictionary(a => a.Key, a => new[] { a.Value.X, a.Value.Y }, StringComparer.Ordinal),
    };

    private static async Task<RtlsRunning> StartAsync(Options options, RtlsSettings settings, int parallelism, bool untilEnd, CancellationToken cancellationToken)
    {
        await KafkaPublisher.EnsureTopicsAsync(options.Bootstrap,
            [new TopicSpec(settings.OutputTopic, 2), new TopicSpec(settings.AliveOutputTopic), new TopicSpec(settings.DeadLetterTopic)], cancellationToken).ConfigureAwait(false);
        return await RtlsRunner.StartAsync(new RtlsRun
        {
            Bootstrap = options.Bootstrap, Settings = settings, Parallelism = parallelism, UntilEnd = untilEnd, FollowAnchorsTopic = false,
            LoggerFactory = NullLoggerFactory.Instance,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The job from a fresh group over the whole backlog to its end; records what it wrote.</summary>
    private static async Task<double> JobAsync(Options options, FloorPlan plan, RtlsTopics topics, int parallelism, int serial,
        Dictionary<string, (long Positions, string Rejected)> outcomes, CancellationToken cancellationToken)
    {
        var settings = Settings(plan, topics, serial.ToString(CultureInfo.InvariantCulture));
        var watch = Stopwatch.StartNew();
        var running = await StartAsync(options, settings, parallelism, untilEnd: true, cancellationToken).ConfigureAwait(false);
        await using (running.ConfigureAwait(false))
        {
            await using (cancellationToken.Register(running.Job.Cancel))
            {
                await running.Job.Completion.ConfigureAwait(false);
            }
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var positions = StreamBench.Count(options.Bootstrap, settings.OutputTopic);
        outcomes[StreamBench.JobName(parallelism)] = (positions, StreamBench.Reasons(options.Bootstrap, settings.DeadLetterTopic));
        return positions > 0 ? seconds : throw new InvalidOperationException($"the job at parallelism {parallelism} wrote no positions");
    }

    /// <summary>
    /// Live packets (simulated time = wall-clock time) through the running job: for each position, the time it reached
    /// a consumer of out_data minus the event time of its window's newest (third) packet, which the position carries as
    /// its Kafka timestamp; for each packet, the time it reached a consumer of packet_data minus its event time.
    /// </summary>
    private static async Task<string> LatencyAsync(Options options, FloorPlan plan, TextWriter progress, CancellationToken cancellationToken)
    {
        var topics = new RtlsTopics("bench-live-packet-data", "bench-live-packet-alive", null, KeyByAnchor: true);
        await KafkaPublisher.EnsureTopicsAsync(options.Bootstrap, [new TopicSpec(topics.Data, options.Partitions), new TopicSpec(topics.Alive, options.Partitions)], cancellationToken).ConfigureAwait(false);
        var settings = Settings(plan, topics, "live");
        var running = await StartAsync(options, settings, 2, untilEnd: false, cancellationToken).ConfigureAwait(false);
        List<(long ReceivedMs, long ReferenceMs)> positions;
        List<(long ReceivedMs, long ReferenceMs)> packets;
        long published;
        await using (running.ConfigureAwait(false))
        {
            using var output = new LatencyProbe(options.Bootstrap, settings.OutputTopic, r => r.Message.Timestamp.UnixTimestampMs);
            using var transport = new LatencyProbe(options.Bootstrap, topics.Data, r => r.Message.Timestamp.UnixTimestampMs);
            await Task.WhenAll(output.Ready, transport.Ready).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            (published, _) = await SimulateAsync(options, plan, topics, options.LiveTags, GeneratorSchedule.Live(1_000, options.LiveMs), cancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            positions = output.Stop();
            packets = transport.Stop();
            running.Job.Cancel();
            try
            {
                await running.Job.Completion.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await progress.WriteLineAsync($"live: {published:N0} packets, {positions.Count:N0} positions").ConfigureAwait(false);
        return string.Create(CultureInfo.InvariantCulture,
            $"latency, live: {options.LiveTags:N0} tags, {plan.Anchors.Count} anchors, one step a second for {options.LiveMs / 1000} s, job at parallelism 2 (p50 / p99 / max)\n\n" +
            $"| path | latency |\n|---|---|\n" +
            $"| packet: simulator → {topics.Data} → consumer (baseline) | {StreamBench.Summary(LatencyProbe.Latencies(packets))} |\n" +
            $"| window's third packet → position on {settings.OutputTopic} | {StreamBench.Summary(LatencyProbe.Latencies(positions))} |\n");
    }
}
