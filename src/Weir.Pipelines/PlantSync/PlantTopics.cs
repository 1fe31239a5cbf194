using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Weir.Pipelines.PlantSync;

/// <summary>The pipeline's topics: one per plant (the original's <c>potato</c>, <c>tomato</c>, <c>pepper</c>) and the dead letters.</summary>
internal static class PlantTopics
{
    public const string DeadLetters = "plant-sync-dlq";

    /// <summary>Creates the plant topics (and the dead-letter topic) when they do not exist yet.</summary>
    public static async Task EnsureAsync(string bootstrapServers, int partitions, short replicationFactor, CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var wanted = Plants.All.Select(Plants.Topic).Append(DeadLetters)
            .Select(name => new TopicSpecification { Name = name, NumPartitions = name == DeadLetters ? 1 : partitions, ReplicationFactor = replicationFactor })
            .ToList();
        try
        {
            await admin.CreateTopicsAsync(wanted).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CreateTopicsException error) when (error.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Already there (created by an earlier run or another instance).
        }
    }
}
