using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Weir.Cli.Hosting;

namespace Weir.Cli.Commands;

/// <summary>`weir topics list|create|describe|delete`: topic administration through Kafka's admin API (works against any cluster).</summary>
internal static class TopicsCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static readonly HashSet<string> MainConfigs = new(StringComparer.Ordinal)
    {
        "cleanup.policy", "max.message.bytes", "message.timestamp.type", "retention.bytes", "retention.ms", "segment.bytes",
    };

    public static Command Create()
    {
        var command = new Command("topics", "List, create, describe and delete topics on Weir's broker or any Kafka cluster.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(CreateTopic());
        command.Subcommands.Add(Describe());
        command.Subcommands.Add(Delete());
        return command;
    }

    private static Command List()
    {
        var bootstrap = KafkaClientOptions.Bootstrap();
        var all = new Option<bool>("--all") { Description = "Include internal topics (names starting with __)." };
        var command = new Command("list", "List topics with their partition counts.") { bootstrap, all };
        command.SetVerbAction((context, parse, _) =>
        {
            using var admin = new AdminClientBuilder(KafkaClientOptions.Admin(KafkaClientOptions.ResolveBootstrap(context, parse, bootstrap))).Build();
            Metadata metadata;
            try
            {
                metadata = admin.GetMetadata(Timeout);
            }
            catch (KafkaException error)
            {
                throw KafkaClientOptions.Failed("cannot list topics", error);
            }

            foreach (var topic in metadata.Topics.OrderBy(t => t.Topic, StringComparer.Ordinal))
            {
                if (parse.GetValue(all) || !topic.Topic.StartsWith("__", StringComparison.Ordinal))
                {
                    Console.WriteLine($"{topic.Topic}\t{topic.Partitions.Count} partition(s)");
                }
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static Command CreateTopic()
    {
        var bootstrap = KafkaClientOptions.Bootstrap();
        var name = new Argument<string>("topic") { Description = "Name of the topic." };
        var partitions = new Option<int>("--partitions") { Description = "Number of partitions. Default: the broker's default.", DefaultValueFactory = _ => -1 };
        var replication = new Option<short>("--replication-factor") { Description = "Replicas per partition. Default: the broker's default.", DefaultValueFactory = _ => -1 };
        var configs = new Option<string[]>("--config") { Description = "Topic config name=value (repeatable), e.g. --config retention.ms=3600000.", AllowMultipleArgumentsPerToken = false };
        var ifNotExists = new Option<bool>("--if-not-exists") { Description = "Succeed when the topic already exists." };
        var command = new Command("create", "Create a topic.") { name, bootstrap, partitions, replication, configs, ifNotExists };
        command.SetVerbAction(async (context, parse, _) =>
        {
            var specification = new TopicSpecification
            {
                Name = parse.GetValue(name)!,
                NumPartitions = parse.GetValue(partitions),
                ReplicationFactor = parse.GetValue(replication),
                Configs = ParseConfigs(parse.GetValue(configs)),
            };
            using var admin = new AdminClientBuilder(KafkaClientOptions.Admin(KafkaClientOptions.ResolveBootstrap(context, parse, bootstrap))).Build();
            try
            {
                await admin.CreateTopicsAsync([specification], new CreateTopicsOptions { RequestTimeout = Timeout }).ConfigureAwait(false);
                Console.WriteLine($"created topic {specification.Name}");
            }
            catch (CreateTopicsException error) when (parse.GetValue(ifNotExists) && error.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
            {
                Console.WriteLine($"topic {specification.Name} already exists");
            }
            catch (CreateTopicsException error)
            {
                throw new CliException($"cannot create topic {specification.Name}: {error.Results[0].Error.Reason}");
            }
            catch (KafkaException error)
            {
                throw KafkaClientOptions.Failed($"cannot create topic {specification.Name}", error);
            }

            return 0;
        });
        return command;
    }

    private static Command Describe()
    {
        var bootstrap = KafkaClientOptions.Bootstrap();
        var name = new Argument<string>("topic") { Description = "Name of the topic." };
        var allConfigs = new Option<bool>("--all-configs") { Description = "Print every config, not only those set on the topic and the main log settings." };
        var command = new Command("describe", "Show a topic's partitions (leader, replicas, earliest and latest offsets) and its configs.") { name, bootstrap, allConfigs };
        command.SetVerbAction(async (context, parse, _) =>
        {
            var topicName = parse.GetValue(name)!;
            var servers = KafkaClientOptions.ResolveBootstrap(context, parse, bootstrap);
            using var admin = new AdminClientBuilder(KafkaClientOptions.Admin(servers)).Build();
            TopicMetadata? topic;
            try
            {
                // Metadata for all topics: asking for one by name lets the broker auto-create it.
                topic = admin.GetMetadata(Timeout).Topics.FirstOrDefault(t => t.Topic == topicName);
            }
            catch (KafkaException error)
            {
                throw KafkaClientOptions.Failed($"cannot describe topic {topicName}", error);
            }

            if (topic is null || topic.Error.Code == ErrorCode.UnknownTopicOrPart || topic.Partitions.Count == 0)
            {
                throw new CliException($"topic {topicName} does not exist");
            }

            Console.WriteLine($"topic {topic.Topic}: {topic.Partitions.Count} partition(s)");
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = servers, GroupId = "weir-cli-describe", EnableAutoCommit = false }).Build();
            Console.WriteLine("partition\tleader\treplicas\tisr\tearliest\tlatest");
            foreach (var partition in topic.Partitions.OrderBy(p => p.PartitionId))
            {
                var offsets = consumer.QueryWatermarkOffsets(new TopicPartition(topicName, partition.PartitionId), Timeout);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{partition.PartitionId}\t{partition.Leader}\t{string.Join(',', partition.Replicas)}\t{string.Join(',', partition.InSyncReplicas)}\t{offsets.Low.Value}\t{offsets.High.Value}"));
            }

            try
            {
                var configs = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topicName }]).ConfigureAwait(false);
                Console.WriteLine("configs:");
                var everything = parse.GetValue(allConfigs);
                foreach (var entry in configs[0].Entries.Values.Where(e => everything || !e.IsDefault || MainConfigs.Contains(e.Name)).OrderBy(e => e.Name, StringComparer.Ordinal))
                {
                    Console.WriteLine($"  {entry.Name}={entry.Value}{(entry.IsDefault ? "" : "  (set on the topic)")}");
                }
            }
            catch (KafkaException error)
            {
                Console.WriteLine($"configs: unavailable ({error.Message})");
            }

            return 0;
        });
        return command;
    }

    private static Command Delete()
    {
        var bootstrap = KafkaClientOptions.Bootstrap();
        var names = new Argument<string[]>("topics") { Description = "Names of the topics to delete.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("delete", "Delete topics and all their data.") { names, bootstrap };
        command.SetVerbAction(async (context, parse, _) =>
        {
            var topics = parse.GetValue(names)!;
            using var admin = new AdminClientBuilder(KafkaClientOptions.Admin(KafkaClientOptions.ResolveBootstrap(context, parse, bootstrap))).Build();
            try
            {
                await admin.DeleteTopicsAsync(topics, new DeleteTopicsOptions { RequestTimeout = Timeout }).ConfigureAwait(false);
            }
            catch (DeleteTopicsException error)
            {
                var failed = error.Results.Where(r => r.Error.IsError).Select(r => $"{r.Topic}: {r.Error.Reason}");
                throw new CliException($"cannot delete {string.Join("; ", failed)}");
            }
            catch (KafkaException error)
            {
                throw KafkaClientOptions.Failed("cannot delete topics", error);
            }

            foreach (var topic in topics)
            {
                Console.WriteLine($"deleted topic {topic}");
            }

            return 0;
        });
        return command;
    }

    private static Dictionary<string, string> ParseConfigs(string[]? values)
    {
        var configs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values ?? [])
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException($"--config expects name=value, got '{value}'");
            }

            configs[value[..equals]] = value[(equals + 1)..];
        }

        return configs;
    }
}
