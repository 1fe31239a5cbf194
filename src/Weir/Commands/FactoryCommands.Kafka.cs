using System.CommandLine;
using Confluent.Kafka;
using Weir.Cli.Hosting;
using Weir.Pipelines.Factory;

namespace Weir.Cli.Commands;

/// <summary>The factory verbs that talk to Kafka: producers and sink.</summary>
internal static partial class FactoryCommands
{
    private static readonly Option<string> Bootstrap = new("--bootstrap")
    {
        Description = "Kafka bootstrap servers (Weir's broker or any Kafka cluster). Default: Factory:Kafka:Bootstrap, else Kafka:BootstrapServers, else 127.0.0.1:9092.",
    };

    private static readonly Option<bool> NoCreateTopics = new("--no-create-topics")
    {
        Description = "Do not create missing topics: refuse to start, naming them (as the original does when auto-creation is off).",
    };

    private static readonly Option<int> Partitions = new("--partitions")
    {
        Description = "Partitions of topics created up front. Default: 3.",
    };

    private static readonly Option<short> ReplicationFactor = new("--replication-factor")
    {
        Description = "Replication factor of topics created up front. Default: 1.",
    };

    private static readonly Option<string> Api = new("--api")
    {
        Description = "Base address of the streaming data API. Default: http://127.0.0.1:5000.",
    };

    private static readonly Option<string> Group = new("--group")
    {
        Description = "Consumer group; offsets are committed there after each durable file. Empty (\"\"): no group, the sink reads " +
            "every partition itself. Default: factory-sink.",
    };

    private static readonly Option<double> Trigger = new("--trigger")
    {
        Description = "Seconds between micro-batches. Default: 10.",
    };

    private static readonly Option<int> MaxPerTrigger = new("--max-records-per-trigger")
    {
        Description = "At most this many records per topic per micro-batch. Default: 1000.",
    };

    private static readonly Option<int> MaxPerFile = new("--max-records-per-file")
    {
        Description = "At most this many rows per Parquet file. Default: 10000.",
    };

    private static readonly Option<string> Output = new("--output")
    {
        Description = "parquet (files under --database) or console (print each micro-batch). Default: parquet.",
    };

    private static readonly Option<string> DeadLetterTopic = new("--dead-letter-topic")
    {
        Description = "Where records that fail validation go, with the reason in headers. Default: factory-sink-dlq.",
    };

    private static readonly Option<bool> AvailableNow = new("--available-now")
    {
        Description = "Persist what the topics hold now, then exit (Spark's Trigger.AvailableNow) instead of running until stopped.",
    };

    public static Command RunProducer()
    {
        var command = new Command("factory-producer",
            "Stream each endpoint of the factory API into its topic (metrics keyed by id, workorder keyed by product), all at once, " +
            "until the streams end. Topics are created up front (3 partitions, replication 1). A dropped stream is reconnected and " +
            "resumed without repeating records; progress is kept in <data-root>/factory/producer, so a restart resumes too.")
        {
            Api, Bootstrap, NoCreateTopics, Partitions, ReplicationFactor,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var (producer, kafka, state) = ProducerSettings(context, parse);
            var results = await KafkaBoundary(() => FactoryProducer.RunAsync(producer, kafka, state, context.LoggerFactory, TimeProvider.System, cancellationToken)).ConfigureAwait(false);
            foreach (var result in results)
            {
                Console.WriteLine($"{result.Stream} → {result.Topic}: {result.Position} records in the topic ({result.Produced} produced now, " +
                    $"{result.AlreadyInTopic} were there already, {result.Reconnects} reconnects)");
            }

            return 0;
        });
        return command;
    }

    public static Command RunSink()
    {
        var command = new Command("factory-sink",
            "Persist the factory topics as Parquet (one folder per topic under --database) every trigger interval, or print them. " +
            "Each record is validated against its topic's schema; failures go to the dead-letter topic. Offsets are committed only " +
            "after a file is durable, and a restart resumes after the last file written: no record is lost or written twice.")
        {
            Bootstrap, Group, Database, Trigger, MaxPerTrigger, MaxPerFile, Output, DeadLetterTopic, AvailableNow, NoCreateTopics, Partitions, ReplicationFactor,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var (sink, kafka, database) = SinkSettings(context, parse);
            var results = await KafkaBoundary(() => FactorySink.RunAsync(
                sink, kafka, database, context.LoggerFactory, TimeProvider.System, sink.Output == "console" ? Console.Out : null,
                parse.GetValue(AvailableNow), cancellationToken)).ConfigureAwait(false);
            foreach (var result in results)
            {
                Console.WriteLine($"{result.Topic}: {result.Consumed} records read, {result.Written} rows in {result.Files} files, {result.DeadLetters} dead letters");
            }

            return 0;
        });
        return command;
    }

    public static Command Bench()
    {
        var records = new Option<int>("--records") { Description = "Records per schema.", DefaultValueFactory = _ => 200_000 };
        var repeats = new Option<int>("--repeats") { Description = "Runs of each measurement; the median is reported.", DefaultValueFactory = _ => 3 };
        var command = new Command("factory",
            "Measure records/s from a topic to durable Parquet files for each schema (metrics, workorder) and bytes on disk per record, " +
            "against a raw Confluent.Kafka consumer on the same topic in the same run. Runs its own embedded broker under <data-root>/bench/factory.")
        {
            records, repeats,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var count = parse.GetValue(records);
            var runs = parse.GetValue(repeats);
            if (count < 1 || runs < 1)
            {
                throw new CliException("--records and --repeats must be 1 or more");
            }

            var folder = context.DataPath(null, "bench", "factory");
            var brokerData = Path.Combine(folder, "broker-" + Guid.NewGuid().ToString("N"));
            var broker = new Weir.Broker.BrokerServer(new Weir.Broker.BrokerOptions { Listen = "127.0.0.1:0", DataDirectory = brokerData, AutoCreateTopics = false, DefaultPartitions = 3 });
            try
            {
                await broker.StartAsync(cancellationToken).ConfigureAwait(false);
                var quiet = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
                Console.Write(await FactoryBenchmark.RunAsync(new FactoryBenchmark.Options(broker.BootstrapServers, folder, count, runs), Console.Out, quiet, cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                await broker.DisposeAsync().ConfigureAwait(false);
                Directory.Delete(brokerData, recursive: true);
            }

            return 0;
        });
        return command;
    }

    internal static FactoryKafkaOptions KafkaSettings(WeirContext context, ParseResult? parse)
    {
        var kafka = context.Bind<FactoryKafkaOptions>($"{Section}:Kafka");

        // Factory:Kafka:Bootstrap for this pipeline alone, else the platform-wide Kafka:BootstrapServers.
        kafka.Bootstrap = context.Configuration[$"{Section}:Kafka:Bootstrap"] ?? context.Configuration["Kafka:BootstrapServers"] ?? kafka.Bootstrap;
        if (parse is not null)
        {
            kafka.Bootstrap = parse.Or(Bootstrap, kafka.Bootstrap);
            kafka.CreateTopics = !parse.GetValue(NoCreateTopics) && kafka.CreateTopics;
            kafka.Partitions = parse.Or(Partitions, kafka.Partitions);
            kafka.ReplicationFactor = parse.Or(ReplicationFactor, kafka.ReplicationFactor);
        }

        if (kafka.Partitions < 1 || kafka.ReplicationFactor < 1)
        {
            throw new CliException("--partitions and --replication-factor must be 1 or more");
        }

        return kafka;
    }

    internal static (FactoryProducerOptions Producer, FactoryKafkaOptions Kafka, string State) ProducerSettings(WeirContext context, ParseResult? parse)
    {
        var producer = context.Bind<FactoryProducerOptions>($"{Section}:Producer");
        if (parse is not null)
        {
            producer.Api = parse.Or(Api, producer.Api);
        }

        return (producer, KafkaSettings(context, parse), context.DataPath(producer.State, "factory", "producer"));
    }

    internal static (FactorySinkOptions Sink, FactoryKafkaOptions Kafka, string Database) SinkSettings(WeirContext context, ParseResult? parse)
    {
        var sink = context.Bind<FactorySinkOptions>($"{Section}:Sink");
        string? database = null;
        if (parse is not null)
        {
            sink.Group = parse.Or(Group, sink.Group);
            sink.TriggerSeconds = parse.Or(Trigger, sink.TriggerSeconds);
            sink.MaxRecordsPerTrigger = parse.Or(MaxPerTrigger, sink.MaxRecordsPerTrigger);
            sink.MaxRecordsPerFile = parse.Or(MaxPerFile, sink.MaxRecordsPerFile);
            sink.Output = parse.Or(Output, sink.Output);
            sink.DeadLetterTopic = parse.Or(DeadLetterTopic, sink.DeadLetterTopic);
            database = parse.GetValue(Database)?.FullName;
        }

        return (sink, KafkaSettings(context, parse), context.DataPath(database ?? sink.Folder, "factory", "database"));
    }

    /// <summary>Turns the pipeline's expected failures into one-line CLI errors.</summary>
    private static async Task<T> KafkaBoundary<T>(Func<Task<T>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception e) when (e is TopicSetupException or StreamProducerException or InvalidDataException or ArgumentException or KafkaException)
        {
            throw new CliException(e.Message);
        }
    }
}
