using Microsoft.Extensions.Logging;
using Weir.Connectors.Sql;
using Weir.Pipelines.PlantSync;
using Weir.Pipelines.PlantSync.Workload;

namespace Weir.Services.PlantImages;

/// <summary>
/// The producer side, running: the database (schema created, empty plants seeded), the image API, and the outbox
/// relay publishing every change to the plant topics.
/// </summary>
internal sealed class PlantImageProducer : PlantSyncHost
{
    private KafkaChangePublisher? _publisher;

    private PlantImageProducer(SqlDatabase database, TimeProvider time)
        : base(database, time)
    {
    }

    public OutboxRelay? Relay { get; private set; }

    /// <param name="database">SQLite file or PostgreSQL connection string.</param>
    public static Task<PlantImageProducer> StartAsync(
        PlantSyncOptions options, string database, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken cancellationToken) =>
        StartAsync(new PlantImageProducer(SqlDatabase.Open(database), time), async producer =>
        {
            var logger = loggerFactory.CreateLogger("weir.plant-images");
            await producer.Store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            await SeedAsync(producer.Store, options.Producer.SeedImages, cancellationToken).ConfigureAwait(false);
            await producer.Store.MarkDeployedAsync(cancellationToken).ConfigureAwait(false);
            if (options.Producer.Relay)
            {
                producer._publisher = new KafkaChangePublisher(options.Bootstrap);
                var relay = new OutboxRelay(new Outbox(producer.Database), producer._publisher, time, logger, new OutboxRelayOptions { Retention = options.Producer.OutboxRetention });
                producer.Store.Committed += relay.Notify;
                producer.Relay = relay;
                producer.RunInBackground(RelayAsync(options, relay, logger, producer.Stopping));
            }

            await producer.ServeAsync(options.Producer.Listen, PlantImageSide.Producer, null, loggerFactory, cancellationToken).ConfigureAwait(false);
        });

    protected override void DisposeOwned() => _publisher?.Dispose();

    /// <summary>Creates the topics (retrying until Kafka answers), then relays until stopped.</summary>
    private static async Task RelayAsync(PlantSyncOptions options, OutboxRelay relay, ILogger logger, CancellationToken cancellationToken)
    {
        await PlantSyncKafka.EnsureTopicsAsync(options, logger, cancellationToken).ConfigureAwait(false);
        await relay.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task SeedAsync(PlantImageStore store, int perPlant, CancellationToken cancellationToken)
    {
        var random = new Random(20231008);
        foreach (var plant in Plants.All)
        {
            if (await store.CountAsync(plant, cancellationToken).ConfigureAwait(false) > 0)
            {
                continue;
            }

            for (var i = 0; i < perPlant; i++)
            {
                var jpeg = LeafImages.Jpeg(random.Next(), diseased: random.Next(3) > 0);
                await store.CreateAsync(plant, random.Next(1, 11), 48.4 + (random.NextDouble() * 0.4), 16.4 + (random.NextDouble() * 0.6), jpeg, random, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
    }
}
