using Confluent.Kafka;

namespace Weir.Interop.Tests;

/// <summary>Waits until a consumer group is Stable with a number of members that all have partitions.</summary>
internal static class GroupWaits
{
    public static async Task StableAsync(string bootstrap, string group, int members)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var last = "";
        await Eventually.HoldsAsync(
            () =>
            {
                var description = admin.DescribeConsumerGroupsAsync([group]).GetAwaiter().GetResult().ConsumerGroupDescriptions[0];
                last = $"{description.State} with {description.Members.Count} member(s)";
                return description.State == ConsumerGroupState.Stable && description.Members.Count == members
                    && description.Members.All(m => m.Assignment.TopicPartitions.Count > 0);
            },
            TimeSpan.FromSeconds(90),
            () => last);
    }
}
