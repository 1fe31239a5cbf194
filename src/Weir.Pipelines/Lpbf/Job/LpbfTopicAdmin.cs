using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Weir.Pipelines.Lpbf.Job;

/// <summary>Creates the pipeline's topics when they are missing (the job reads the partitions it finds at start).</summary>
internal static class LpbfTopicAdmin
{
    /// <param name="rawBatchPartitions">Partitions of raw-batch: one per job subtask lets every subtask read.</param>
    public static async Task EnsureAsync(string bootstrapServers, LpbfTopics topics, int rawBatchPartitions, CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        TopicSpecification[] wanted =
        [
            new() { Name = topics.RawBatch, NumPartitions = Math.Max(1, rawBatchPartitions), ReplicationFactor = 1 },
            new() { Name = topics.Results, NumPartitions = 1, ReplicationFactor = 1 },
            new() { Name = topics.SaturatedPixels, NumPartitions = 1, ReplicationFactor = 1 },
            new() { Name = topics.SaturatedRank, NumPartitions = 1, ReplicationFactor = 1 },
            new() { Name = topics.DeadLetters, NumPartitions = 1, ReplicationFactor = 1 },
        ];
        try
        {
            await admin.CreateTopicsAsync(wanted).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CreateTopicsException error) when (error.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Topics that exist already are kept as they are.
        }
    }
}
