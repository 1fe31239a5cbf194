using Microsoft.Extensions.Logging;
using Weir.Connectors.Kafka;

namespace Weir.Pipelines.Factory;

/// <summary>
/// The sink of the factory pipeline (the original's Spark ParquetConsumer, or its console consumer): one
/// <see cref="TopicSink"/> per topic, all running at once, sharing one Kafka dead-letter sink (Connectors/Kafka).
/// </summary>
internal static class FactorySink
{
    public const string Job = "factory-sink";

    /// <param name="database">Folder of the tables: each topic gets a sub-folder of the same name.</param>
    /// <param name="console">Print micro-batches here instead of writing Parquet.</param>
    public static async Task<IReadOnlyList<TopicSinkResult>> RunAsync(
        FactorySinkOptions options,
        FactoryKafkaOptions kafka,
        string database,
        ILoggerFactory loggerFactory,
        TimeProvider time,
        TextWriter? console,
        bool availableNow,
        CancellationToken cancellationToken)
    {
        Validate(options);
        var topics = options.EffectiveTopics;
        var schemas = topics.ToDictionary(t => t, FactorySchemas.ByName, StringComparer.Ordinal);
        var partitions = await FactoryTopics.EnsureAsync(kafka, [.. topics, options.DeadLetterTopic], cancellationToken).ConfigureAwait(false);
        var log = loggerFactory.CreateLogger("weir.factory.sink");
        using var deadLetters = new KafkaDeadLetterSink(kafka.Bootstrap, options.DeadLetterTopic,
            kafka.Idempotence ? new Dictionary<string, string> { ["enable.idempotence"] = "true" } : null);
        var sinks = topics.Select(t => new TopicSink(t, schemas[t], partitions[t], options, kafka, Path.Combine(database, t), deadLetters, time, log, console)).ToList();
        try
        {
            return await Task.WhenAll(sinks.Select(s => Task.Run(() => s.RunAsync(availableNow, cancellationToken), cancellationToken))).ConfigureAwait(false);
        }
        finally
        {
            foreach (var sink in sinks)
            {
                sink.Dispose();
            }
        }
    }

    private static void Validate(FactorySinkOptions options)
    {
        if (!double.IsFinite(options.TriggerSeconds) || options.TriggerSeconds < 0)
        {
            throw new ArgumentException($"the trigger interval is 0 or more seconds, not {options.TriggerSeconds}");
        }

        if (options.MaxRecordsPerTrigger < 1 || options.MaxRecordsPerFile < 1)
        {
            throw new ArgumentException("the records per trigger and per file are 1 or more");
        }

        if (options.Output is not ("parquet" or "console"))
        {
            throw new ArgumentException($"the sink's output is 'parquet' or 'console', not '{options.Output}'");
        }

        if (string.IsNullOrWhiteSpace(options.DeadLetterTopic))
        {
            throw new ArgumentException("the sink needs a dead-letter topic");
        }
    }
}
