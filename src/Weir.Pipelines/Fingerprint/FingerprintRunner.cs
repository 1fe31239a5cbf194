using System.Text;
using Microsoft.Extensions.Logging;
using Weir.Connectors.Kafka;
using Weir.Pipelines.Shared;
using Weir.Streams;

namespace Weir.Pipelines.Fingerprint;

/// <summary>Where the job reads and writes, and how it runs (from the "Fingerprint" section and flags).</summary>
internal sealed record FingerprintRun
{
    public required string Bootstrap { get; init; }

    public required FingerprintSettings Settings { get; init; }

    public int Parallelism { get; init; } = 1;

    /// <summary>Read to the end offsets seen at start, flush every window, and finish.</summary>
    public bool UntilEnd { get; init; }

    public string? CheckpointDirectory { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>The fingerprint job wired to Kafka: sensor-data in; fingerprint-output, fingerprint-late and the dead-letter topic out.</summary>
internal static class FingerprintRunner
{
    public static JobHandle Start(FingerprintRun run, out KafkaDeadLetterSink deadLetters)
    {
        var settings = run.Settings;
        var options = FingerprintJobOptions.From(settings);
        deadLetters = new KafkaDeadLetterSink(run.Bootstrap, settings.DeadLetterTopic);
        var env = StreamEnvironment.Create(new JobOptions
        {
            Name = FingerprintJob.JobName,
            Parallelism = run.Parallelism,
            DeadLetters = deadLetters,
            LoggerFactory = run.LoggerFactory,
            TimeProvider = run.Clock,
            CheckpointDirectory = run.CheckpointDirectory,
            CheckpointInterval = run.CheckpointDirectory is null ? null : TimeSpan.FromSeconds(settings.CheckpointIntervalSeconds),
        });

        // One parser per reader thread: it interns ids and is not thread-safe.
        var parsers = new ThreadLocal<SensorMessageParser>(() => new SensorMessageParser(settings.Float32Values));
        var source = new KafkaSource<SensorMessage>(new KafkaSourceOptions
        {
            BootstrapServers = run.Bootstrap,
            Topics = [settings.InputTopic],
            GroupId = settings.GroupId,
            StartFrom = StartOffsets.Parse(settings.StartFrom),
            StopAtEndOffsets = run.UntilEnd,
        }, (in KafkaRecord record) => parsers.Value!.Parse(record.Value) with { Raw = record.Value });

        var (fingerprints, late) = FingerprintJob.Build(env.FromSource(source, FingerprintJob.Watermarks(options), settings.InputTopic), options);
        fingerprints.SinkTo(new KafkaSink<FingerprintRecord>(
            new KafkaSinkOptions { BootstrapServers = run.Bootstrap, Topic = settings.OutputTopic },
            f => new KafkaMessage(Encoding.UTF8.GetBytes(f.EquipId), f.ToUtf8())), settings.OutputTopic);
        late.SinkTo(new KafkaSink<SensorMessage>(
            new KafkaSinkOptions { BootstrapServers = run.Bootstrap, Topic = settings.LateTopic },
            m => new KafkaMessage(Encoding.UTF8.GetBytes(m.EquipId), m.Raw ?? [])), settings.LateTopic);
        return env.Start();
    }
}
