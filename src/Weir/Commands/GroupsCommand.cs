using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Weir.Cli.Hosting;

namespace Weir.Cli.Commands;

/// <summary>`weir groups list|describe`: consumer groups, their members, assignments, committed offsets and lag (any Kafka cluster).</summary>
internal static class GroupsCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static Command Create()
    {
        var command = new Command("groups", "List consumer groups and describe one: members, assignments, committed offsets and lag per partition.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Describe());
        return command;
    }

    private static Command List()
    {
        var bootstrap = KafkaClientOptions.Bootstrap();
        var command = new Command("list", "List consumer groups with their state.") { bootstrap };
        command.SetVerbAction(async (context, parse, _) =>
        {
            using var admin = new AdminClientBuilder(KafkaClientOptions.Admin(KafkaClientOptions.ResolveBootstrap(context, parse, bootstrap))).Build();
            ListConsumerGroupsResult groups;
            try
            {
                groups = await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { RequestTimeout = Timeout }).ConfigureAwait(false);
            }
            catch (KafkaException error)
            {
                throw KafkaClientOptions.Failed("cannot list groups", error);
            }

            // ListGroups before v4 carries no state (Weir's broker and older Kafka): DescribeGroups has it.
            var listed = groups.Valid.OrderBy(g => g.GroupId, StringComparer.Ordinal).ToList();
            var states = new Dictionary<string, ConsumerGroupState>(StringComparer.Ordinal);
            if (listed.Count > 0 && listed.Any(g => g.State == ConsumerGroupState.Unknown))
            {
                var described = await admin.DescribeConsumerGroupsAsync(listed.Select(g => g.GroupId), new DescribeConsumerGroupsOptions { RequestTimeout = Timeout }).ConfigureAwait(false);
                foreach (var description in described.ConsumerGroupDescriptions)
                {
                    states[description.GroupId] = description.State;
                }
            }

            foreach (var group in listed)
            {
                Console.WriteLine($"{group.GroupId}\t{states.GetValueOrDefault(group.GroupId, group.State)}\t{(group.IsSimpleConsumerGroup ? "simple" : "consumer")}");
            }

            return 0;
        });
        return command;
    }

    private static Command Describe()
    {
        var bootstrap = KafkaClientOptions.Bootstrap();
        var name = new Argument<string>("group") { Description = "The consumer group." };
        var command = new Command("describe", "Show a group's state, members with their partitions, and per partition the committed offset, the end offset and the lag.") { name, bootstrap };
        command.SetVerbAction(async (context, parse, _) =>
        {
            var groupId = parse.GetValue(name)!;
            var servers = KafkaClientOptions.ResolveBootstrap(context, parse, bootstrap);
            using var admin = new AdminClientBuilder(KafkaClientOptions.Admin(servers)).Build();
            ConsumerGroupDescription description;
            List<TopicPartitionOffsetError> committed;
            try
            {
                description = (await admin.DescribeConsumerGroupsAsync([groupId], new DescribeConsumerGroupsOptions { RequestTimeout = Timeout }).ConfigureAwait(false)).ConsumerGroupDescriptions[0];
                committed = (await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(groupId, null)], new ListConsumerGroupOffsetsOptions { RequestTimeout = Timeout }).ConfigureAwait(false))[0].Partitions;
            }
            catch (KafkaException error)
            {
                throw KafkaClientOptions.Failed($"cannot describe group {groupId}", error);
            }

            if (description.State == ConsumerGroupState.Dead && committed.Count == 0)
            {
                throw new CliException($"group {groupId} does not exist");
            }

            Console.WriteLine($"group {groupId}: {description.State}, {description.Members.Count} member(s){(description.PartitionAssignor is { Length: > 0 } assignor ? $", assignor {assignor}" : "")}");
            var owners = new Dictionary<TopicPartition, string>();
            foreach (var member in description.Members)
            {
                var partitions = member.Assignment?.TopicPartitions ?? [];
                Console.WriteLine($"  member {member.ConsumerId} (client {member.ClientId}, host {member.Host}): {string.Join(", ", partitions.Select(p => $"{p.Topic}-{p.Partition.Value}"))}");
                foreach (var partition in partitions)
                {
                    owners[partition] = member.ClientId;
                }
            }

            var offsets = committed.Where(c => c.Offset.Value >= 0).ToDictionary(c => c.TopicPartition, c => c.Offset.Value);
            var all = owners.Keys.Concat(offsets.Keys).Distinct().OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value).ToList();
            Console.WriteLine("topic\tpartition\tcommitted\tend\tlag\tmember");
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = servers, GroupId = "weir-cli-lag", EnableAutoCommit = false }).Build();
            foreach (var partition in all)
            {
                var end = consumer.QueryWatermarkOffsets(partition, Timeout).High.Value;
                var hasCommit = offsets.TryGetValue(partition, out var offset);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{partition.Topic}\t{partition.Partition.Value}\t{(hasCommit ? offset.ToString(CultureInfo.InvariantCulture) : "-")}\t{end}\t{(hasCommit ? (end - offset).ToString(CultureInfo.InvariantCulture) : "-")}\t{owners.GetValueOrDefault(partition, "-")}"));
            }

            return 0;
        });
        return command;
    }
}
