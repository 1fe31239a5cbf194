using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Weir.Pipelines.PlantSync;

namespace Weir.Services.PlantImages;

/// <summary>Topic set-up shared by both sides: whichever starts first creates the topics; Kafka may come up later.</summary>
internal static class PlantSyncKafka
{
    public static async Task EnsureTopicsAsync(PlantSyncOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                await PlantTopics.EnsureAsync(options.Bootstrap, options.Partitions, options.ReplicationFactor, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (KafkaException error)
            {
                logger.LogWarning("Creating the plant topics on {Bootstrap} failed: {Error}; retrying in {Backoff}", options.Bootstrap, error.Message, backoff);
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }
}
