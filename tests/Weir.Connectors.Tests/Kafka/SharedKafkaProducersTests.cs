using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Connectors.Kafka;
using Weir.Testing;

namespace Weir.Connectors.Tests.Kafka;

/// <summary>Sink writers of one job with the same settings share a producer, which lives until the last lets go.</summary>
public sealed class SharedKafkaProducersTests
{
    [Fact]
    public async Task Writers_of_one_job_share_a_producer_that_outlives_all_but_the_last_of_them()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await KafkaFixture.CreateTopicAsync(broker, "first", 1);
        await KafkaFixture.CreateTopicAsync(broker, "second", 1);
        ProducerConfig Config() => new() { BootstrapServers = broker.BootstrapServers, LingerMs = 1 };

        var a = SharedKafkaProducers.Acquire("job-a", Config(), NullLogger.Instance);
        var b = SharedKafkaProducers.Acquire("job-a", Config(), NullLogger.Instance);
        using var otherJob = SharedKafkaProducers.Acquire("job-b", Config(), NullLogger.Instance);
        using var otherSettings = SharedKafkaProducers.Acquire("job-a", new ProducerConfig(Config()) { LingerMs = 50 }, NullLogger.Instance);
        Assert.Same(a.Producer, b.Producer);
        Assert.NotSame(a.Producer, otherJob.Producer);
        Assert.NotSame(a.Producer, otherSettings.Producer);

        // One writer gone: the other still writes through the same producer, to either topic.
        a.Dispose();
        a.Dispose(); // a second dispose of the same lease must not release the producer for the other writer
        b.Producer.Produce("first", new Message<byte[]?, byte[]> { Value = [1] });
        b.Producer.Produce("second", new Message<byte[]?, byte[]> { Value = [2] });
        Assert.Equal(0, b.Producer.Flush(TimeSpan.FromSeconds(30)));
        Assert.Single(KafkaFixture.ReadAll(broker, "first", 1, 1));
        Assert.Single(KafkaFixture.ReadAll(broker, "second", 1, 1));

        // The last writer gone: the producer is disposed, and the next writer gets a new one.
        var last = b.Producer;
        b.Dispose();
        Assert.Throws<ObjectDisposedException>(() => last.Flush(TimeSpan.Zero));
        using var next = SharedKafkaProducers.Acquire("job-a", Config(), NullLogger.Instance);
        Assert.NotSame(last, next.Producer);
    }
}
