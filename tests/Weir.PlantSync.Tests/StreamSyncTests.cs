using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Connectors.Sql;
using Weir.Pipelines.PlantSync;
using Weir.Pipelines.PlantSync.Workload;
using Weir.Services.PlantImages;
using Weir.Testing;

namespace Weir.PlantSync.Tests;

/// <summary>Streaming sync through Weir's broker: the producer API, the outbox relay, the consumer service, in one process.</summary>
public sealed class StreamSyncTests(PlantDatabases databases) : IClassFixture<PlantDatabases>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Every_change_made_through_the_producer_api_reaches_the_consumer_api(string backend)
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var (producerDb, producerTarget) = await databases.CreateAsync(backend, "stream_producer");
        var (consumerDb, consumerTarget) = await databases.CreateAsync(backend, "stream_consumer");
        var options = Options(broker.BootstrapServers);
        await using var producer = await PlantImageProducer.StartAsync(options, producerTarget, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
        await using var consumer = await PlantSyncConsumerService.StartAsync(options, consumerTarget, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
        using var producerHttp = new HttpClient { BaseAddress = producer.Address };
        using var consumerHttp = new HttpClient { BaseAddress = consumer.Address };

        var workload = new PlantWorkload(new PlantImageClient(producerHttp), new PlantWorkloadOptions { Speed = 3000, MaxChanges = 80, Seed = 2, ImageSize = 24 }, TimeProvider.System, NullLogger.Instance);
        await workload.RunAsync(CancellationToken.None);
        await WaitForEqualAsync(producerDb, consumerDb);

        var fromProducer = await producerHttp.GetStringAsync(new Uri("image-plant/potato/3", UriKind.Relative));
        var fromConsumer = await consumerHttp.GetStringAsync(new Uri("image-plant/potato/3", UriKind.Relative));
        var totalProducer = await producerHttp.GetStringAsync(new Uri("image-plant/tomato/total/", UriKind.Relative));
        var totalConsumer = await consumerHttp.GetStringAsync(new Uri("image-plant/tomato/total/", UriKind.Relative));
        using var write = await consumerHttp.PutAsync(new Uri("image-plant/potato/", UriKind.Relative),
            new StringContent("""{"camera_id": 1, "gps_coordinates": [48, 16]}""", Encoding.UTF8, "application/json"));
        var writeAnswer = await write.Content.ReadAsStringAsync();
        var metrics = await consumerHttp.GetStringAsync(new Uri("metrics", UriKind.Relative));
        var producerMetrics = await producerHttp.GetStringAsync(new Uri("metrics", UriKind.Relative));

        Assert.Equal(80, workload.Changes);
        Assert.Equal(fromProducer, fromConsumer);
        Assert.Equal(totalProducer, totalConsumer);
        Assert.Equal(405, (int)write.StatusCode);
        Assert.Equal("GET", write.Content.Headers.Allow.Single());
        Assert.Contains("read-only replica", writeAnswer, StringComparison.Ordinal);
        Assert.Contains("plant_sync_staleness_seconds_bucket{mode=\"stream\"", metrics, StringComparison.Ordinal);
        Assert.Contains("image_api_image{plant=\"potato\"}", producerMetrics, StringComparison.Ordinal);
        Assert.Contains("image_api_image_size{plant=\"potato\"}", producerMetrics, StringComparison.Ordinal);
        Assert.True(consumer.Consumer!.AppliedCount >= 89, $"applied {consumer.Consumer.AppliedCount}");
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Reordered_and_replayed_messages_never_take_a_record_back(string backend)
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var (consumerDb, consumerTarget) = await databases.CreateAsync(backend, "reorder_consumer");
        var options = Options(broker.BootstrapServers);
        var image = new PlantImage
        {
            Plant = Plants.Pepper, Id = 4, CameraId = 1, Data = LeafImages.Jpeg(1, false, 16), Latitude = 48.5, Longitude = 16.6,
            CreatedAt = 1_700_000_000_000_000,
        };
        var versions = Enumerable.Range(1, 5).Select(v => image with { UpdatedAt = image.CreatedAt + v, CameraId = v }).ToArray();
        // Newest first, then older ones, then the whole history again: the consumer must end on version 5.
        await ProduceAsync(broker.BootstrapServers, Plants.Pepper, [versions[4], versions[1], versions[0], versions[3], versions[2], .. versions, versions[4], versions[0]]);

        await using (var consumer = await PlantSyncConsumerService.StartAsync(options, consumerTarget, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None))
        {
            await Eventually.HoldsAsync(() => consumer.Consumer!.AppliedCount + consumer.Consumer.StaleCount == 12, Timeout, () => $"saw {consumer.Consumer!.AppliedCount} applied, {consumer.Consumer.StaleCount} stale");
            Assert.Equal(1, consumer.Consumer!.AppliedCount);
        }

        // A second consumer group replays the topic from the start into the same database: nothing moves back.
        var replay = Options(broker.BootstrapServers);
        replay.Consumer.GroupId = "replay-group";
        await using (var consumer = await PlantSyncConsumerService.StartAsync(replay, consumerTarget, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None))
        {
            await Eventually.HoldsAsync(() => consumer.Consumer!.StaleCount == 12, Timeout, () => $"saw {consumer.Consumer!.AppliedCount} applied, {consumer.Consumer.StaleCount} stale");
            Assert.Equal(0, consumer.Consumer!.AppliedCount);
        }

        var stored = await new PlantImageStore(consumerDb, TimeProvider.System).GetAsync(Plants.Pepper, 4, CancellationToken.None);
        Assert.True(versions[4].SameAs(stored!), stored?.ToString());
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task A_malformed_message_goes_to_the_dead_letter_topic_and_consumption_goes_on(string backend)
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var (consumerDb, consumerTarget) = await databases.CreateAsync(backend, "dlq_consumer");
        var good = new PlantImage
        {
            Plant = Plants.Potato, Id = 1, CameraId = 1, Data = [0xFF, 0xD8, 0xFF, 0xD9], Latitude = 48.5, Longitude = 16.6, CreatedAt = 1_700_000_000_000_000,
        };
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(Plants.Potato, new Message<byte[], byte[]> { Key = "potato-9"u8.ToArray(), Value = """{"id": 9, "camera_id": "x"}"""u8.ToArray() });
            await producer.ProduceAsync(Plants.Potato, new Message<byte[], byte[]> { Key = "potato-1"u8.ToArray(), Value = PlantImageJson.Serialize(good) });
        }

        await using var consumer = await PlantSyncConsumerService.StartAsync(Options(broker.BootstrapServers), consumerTarget, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
        var dead = await TopicRecords.ReadAtLeastAsync(broker.BootstrapServers, PlantTopics.DeadLetters, 1, Timeout);
        await Eventually.HoldsAsync(() => consumer.Consumer!.AppliedCount == 1, Timeout, () => $"applied {consumer.Consumer!.AppliedCount}");

        var letter = Assert.Single(dead);
        Assert.Equal("potato-9", letter.KeyText);
        Assert.Equal("""{"id": 9, "camera_id": "x"}""", letter.ValueText);
        Assert.Equal("camera_id must be an integer", letter.Header("weir.error"));
        Assert.Equal("decode", letter.Header("weir.stage"));
        Assert.Equal("potato", letter.Header("weir.source.topic"));
        Assert.Equal("0", letter.Header("weir.source.offset"));
        Assert.Equal("plant-sync", letter.Header("weir.job"));
        Assert.True(good.SameAs((await new PlantImageStore(consumerDb, TimeProvider.System).GetAsync(Plants.Potato, 1, CancellationToken.None))!));
    }

    internal static PlantSyncOptions Options(string bootstrap, int partitions = 1) => new()
    {
        Bootstrap = bootstrap,
        Partitions = partitions,
        Producer = { Listen = "127.0.0.1:0", SeedImages = 3 },
        Consumer = { Listen = "127.0.0.1:0" },
    };

    internal static Task WaitForEqualAsync(SqlDatabase producer, SqlDatabase consumer, TimeSpan? timeout = null)
    {
        var last = new List<string>();
        return Eventually.HoldsAsync(
            async () => (last = await ReplicaComparison.DifferencesAsync(producer, consumer, CancellationToken.None)).Count == 0,
            timeout ?? Timeout,
            () => string.Join("\n", last),
            TimeSpan.FromMilliseconds(250));
    }

    private static async Task ProduceAsync(string bootstrap, string plant, IEnumerable<PlantImage> images)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        foreach (var image in images)
        {
            await producer.ProduceAsync(Plants.Topic(plant), new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(Plants.Key(plant, image.Id)), Value = PlantImageJson.Serialize(image) });
        }
    }
}
