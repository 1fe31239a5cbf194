using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Weir.Connectors.Kafka;
using Weir.Pipelines.Lpbf.Kernels;
using Weir.Streams;
using Weir.Streams.Sinks;

namespace Weir.Pipelines.Lpbf.Job;

/// <summary>
/// The LPBF job on Weir's engine: raw-batch → key by (bench, print, tile) → Q1/Q2/Q3 → results, with
/// saturated-pixels and saturated-rank as side outputs and undecodable records on the dead-letter topic.
/// </summary>
internal static class LpbfJob
{
    public const string Name = "lpbf";

    /// <summary>Builds the job over Kafka topics; dispose <paramref name="deadLetters"/> once the job has stopped.</summary>
    public static StreamEnvironment Build(LpbfJobOptions options, ILoggerFactory? loggerFactory, out IDisposable deadLetters)
    {
        if (options.SourceParallelism < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Lpbf:SourceParallelism must be 0 (one per four queries subtasks) or more, not {options.SourceParallelism}");
        }

        var dlq = new KafkaDeadLetterSink(options.BootstrapServers, options.Topics.DeadLetters);
        deadLetters = dlq;
        var env = StreamEnvironment.Create(JobOptions(options, loggerFactory, dlq));
        var source = new KafkaSource<LpbfInput>(
            new KafkaSourceOptions
            {
                BootstrapServers = options.BootstrapServers,
                Topics = [options.Topics.RawBatch],
                GroupId = options.GroupId,
                StartFrom = KafkaStartOffsets.Committed(KafkaStartOffsets.Earliest),
                ConsumerConfig = new Dictionary<string, string> { ["fetch.wait.max.ms"] = "5" },
            },
            LpbfCodecs.ReadRawBatch);
        Wire(
            env.FromSource(source, Streams.Time.WatermarkStrategy.NoWatermarks<LpbfInput>(), options.Topics.RawBatch)
                .WithParallelism(options.EffectiveSourceParallelism),
            Sink<LpbfResult>(options, options.Topics.Results, LpbfCodecs.ResultMessage),
            Sink<string>(options, options.Topics.SaturatedPixels, Utf8Value),
            Sink<string>(options, options.Topics.SaturatedRank, Utf8Value));
        return env;
    }

    /// <summary>The graph between a source of batches and the three outputs (tests plug in-memory ends here).</summary>
    public static void Wire(DataStream<LpbfInput> batches, ISink<LpbfResult> results, ISink<string> saturatedPixels, ISink<string> saturatedRank)
    {
        // Windows belong to one benchmark: a job that serves run after run must start each with empty windows.
        var queries = batches
            .KeyBy(input => string.Concat(input.BenchId, "|", input.Key))
            .Process(new LpbfQueriesFunction(TilePool.Shared))
            .WithName("lpbf-queries")
            .WithUid("lpbf-queries-v1");
        queries.SinkTo(results);
        queries.GetSideOutput(LpbfQueriesFunction.SaturatedPixels).Map(LpbfCodecs.SaturatedPixelsJson).SinkTo(saturatedPixels);
        queries.GetSideOutput(LpbfQueriesFunction.SaturatedRank).Map(LpbfCodecs.SaturatedRankJson).SinkTo(saturatedRank);
    }

    public static JobOptions JobOptions(LpbfJobOptions options, ILoggerFactory? loggerFactory, Streams.IDeadLetterSink? deadLetters) => new()
    {
        Name = Name,
        Parallelism = Math.Max(1, options.Parallelism),
        CheckpointDirectory = options.CheckpointDirectory,
        CheckpointInterval = options.CheckpointDirectory is null ? null : options.CheckpointInterval,
        BufferTimeout = options.BufferTimeout,
        DeadLetters = deadLetters,
        LoggerFactory = loggerFactory,
    };

    private static KafkaSink<T> Sink<T>(LpbfJobOptions options, string topic, Func<T, KafkaMessage> serializer) =>
        new(new KafkaSinkOptions { BootstrapServers = options.BootstrapServers, Topic = topic, Linger = options.Linger, Acks = Acks.All }, serializer);

    private static KafkaMessage Utf8Value(string json) => new(null, System.Text.Encoding.UTF8.GetBytes(json));
}
