using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Weir.Connectors.Kafka;
using Weir.Pipelines.Shared;
using Weir.Streams;

namespace Weir.Pipelines.Rtls;

/// <summary>Where the RTLS job reads and writes, and how it runs (from the "Rtls" section and flags).</summary>
internal sealed record RtlsRun
{
    public required string Bootstrap { get; init; }

    public required RtlsSettings Settings { get; init; }

    public int Parallelism { get; init; } = 2;

    /// <summary>Read to the end offsets seen at start, then stop (backlogs, benchmarks).</summary>
    public bool UntilEnd { get; init; }

    public string? CheckpointDirectory { get; init; }

    /// <summary>Follow the compacted anchors topic (default on).</summary>
    public bool FollowAnchorsTopic { get; init; } = true;

    public required ILoggerFactory LoggerFactory { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>A running RTLS job and what keeps its anchors current.</summary>
internal sealed class RtlsRunning(JobHandle job, AnchorRegistry anchors, KafkaDeadLetterSink deadLetters, AnchorsTopicFollower? follower, AnchorFileWatcher? watcher) : IAsyncDisposable
{
    public JobHandle Job { get; } = job;

    public AnchorRegistry Anchors { get; } = anchors;

    public async ValueTask DisposeAsync()
    {
        await Job.DisposeAsync().ConfigureAwait(false);
        if (follower is not null)
        {
            await follower.DisposeAsync().ConfigureAwait(false);
        }

        if (watcher is not null)
        {
            await watcher.DisposeAsync().ConfigureAwait(false);
        }

        deadLetters.Dispose();
    }
}

/// <summary>
/// The RTLS job wired to Kafka: packet_data and packet_alive in (protobuf); out_data, out_alive and the dead-letter
/// topic out. Anchors come from configuration or a file (watched) and the compacted anchors topic (followed).
/// </summary>
internal static class RtlsRunner
{
    public static async Task<RtlsRunning> StartAsync(RtlsRun run, CancellationToken cancellationToken)
    {
        var settings = run.Settings;
        var options = RtlsJobOptions.From(settings);
        options.Window.Validate();
        var log = run.LoggerFactory.CreateLogger("weir.rtls");
        var anchors = new AnchorRegistry(settings.InitialAnchors());
        AnchorsTopicFollower? follower = null;
        if (run.FollowAnchorsTopic && !string.IsNullOrEmpty(settings.AnchorsTopic))
        {
            follower = new AnchorsTopicFollower(run.Bootstrap, settings.AnchorsTopic, anchors, log);
            await follower.StartAsync(TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false);
        }

        var watcher = settings.AnchorsFile is { Length: > 0 } file && settings.Anchors is not { Count: > 0 }
            ? new AnchorFileWatcher(file, anchors, log, run.Clock, TimeSpan.FromSeconds(2))
            : null;

        var deadLetters = new KafkaDeadLetterSink(run.Bootstrap, settings.DeadLetterTopic);
        var env = StreamEnvironment.Create(new JobOptions
        {
            Name = RtlsJob.JobName,
            Parallelism = run.Parallelism,
            DeadLetters = deadLetters,
            LoggerFactory = run.LoggerFactory,
            TimeProvider = run.Clock,
            CheckpointDirectory = run.CheckpointDirectory,
            CheckpointInterval = run.CheckpointDirectory is null ? null : TimeSpan.FromSeconds(settings.CheckpointIntervalSeconds),
        });
        var startFrom = StartOffsets.Parse(settings.StartFrom);
        var packets = new KafkaSource<AnchorPacket>(Source(run, settings.DataTopic, startFrom),
            (in KafkaRecord r) => new AnchorPacket(RtlsPackets.ParseData(r.Value), r.Partition, r.Offset));
        var heartbeats = new KafkaSource<Proto.AnchorAlive>(Source(run, settings.AliveTopic, startFrom),
            (in KafkaRecord r) => RtlsPackets.ParseAlive(r.Value));

        var (positions, rejected) = RtlsJob.BuildPositions(env.FromSource(packets, RtlsJob.DataWatermarks(options), settings.DataTopic), options, anchors);
        positions.SinkTo(new KafkaSink<TagPosition>(new KafkaSinkOptions { BootstrapServers = run.Bootstrap, Topic = settings.OutputTopic },
            p => new KafkaMessage(Encoding.UTF8.GetBytes(p.TagId), RtlsJson.Position(p))), settings.OutputTopic);
        rejected.SinkTo(new DeadLetterStreamSink<RtlsRejection>(() => new KafkaDeadLetterSink(run.Bootstrap, settings.DeadLetterTopic), r => new DeadLetter(
            RtlsJob.JobName, "tag-windows", r.Reason,
            new RecordOrigin(settings.DataTopic, r.Reading.Partition, r.Reading.Offset, r.Reading.TimestampMs,
                Encoding.UTF8.GetBytes(r.Reading.TagId), RtlsPackets.EncodeReading(r.Reading)),
            null, null)), settings.DeadLetterTopic);
        RtlsJob.BuildLiveness(env.FromSource(heartbeats, RtlsJob.AliveWatermarks(options), settings.AliveTopic), options)
            .SinkTo(new KafkaSink<AliveChange>(new KafkaSinkOptions { BootstrapServers = run.Bootstrap, Topic = settings.AliveOutputTopic },
                c => new KafkaMessage(Encoding.UTF8.GetBytes(c.AnchorId), RtlsJson.Alive(c))), settings.AliveOutputTopic);
        log.LogInformation("rtls: {Count} anchors at start: {Anchors}", anchors.Current.Count,
            string.Join(", ", anchors.Current.Entries.OrderBy(a => a.Key, StringComparer.Ordinal).Take(12).Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Key} ({a.Value.X}, {a.Value.Y})"))));
        return new RtlsRunning(env.Start(), anchors, deadLetters, follower, watcher);
    }

    private static KafkaSourceOptions Source(RtlsRun run, string topic, KafkaStartOffsets startFrom) => new()
    {
        BootstrapServers = run.Bootstrap,
        Topics = [topic],
        GroupId = run.Settings.GroupId,
        StartFrom = startFrom,
        StopAtEndOffsets = run.UntilEnd,
    };
}
