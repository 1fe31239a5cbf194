using System.Text;
using Confluent.Kafka;

namespace Weir.Pipelines.PlantSync;

/// <summary>
/// Publishes outbox events to the plants' topics with an idempotent producer (acks=all), keyed "{plant}-{id}" with
/// the Java client's murmur2 partitioner, so each record's changes land in one partition in order.
/// </summary>
internal sealed class KafkaChangePublisher : IChangePublisher, IDisposable
{
    private readonly IProducer<byte[], byte[]> _producer;

    public KafkaChangePublisher(string bootstrapServers, string clientId = "image-api")
    {
        _producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = clientId,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            Partitioner = Partitioner.Murmur2Random,
            MessageTimeoutMs = 30_000,
        }).Build();
    }

    public async Task PublishAsync(IReadOnlyList<OutboxEvent> events, CancellationToken cancellationToken)
    {
        var deliveries = new Task<DeliveryResult<byte[], byte[]>>[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var change = events[i];
            deliveries[i] = _producer.ProduceAsync(
                Plants.Topic(change.Plant),
                new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(Plants.Key(change.Plant, change.Id)), Value = change.Payload },
                cancellationToken);
        }

        // Every delivery must succeed before the batch counts as published; the first failure fails the batch.
        await Task.WhenAll(deliveries).ConfigureAwait(false);
        foreach (var delivery in deliveries)
        {
            var message = delivery.Result.Message;
            var tag = PlantSyncMetrics.PlantTag(delivery.Result.Topic);
            PlantSyncMetrics.ImageApiImage.Add(1, tag);
            PlantSyncMetrics.ImageApiImageSize.Add(message.Key.Length + message.Value.Length, tag);
        }
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
    }
}
