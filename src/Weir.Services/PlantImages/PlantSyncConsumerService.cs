using Microsoft.Extensions.Logging;
using Weir.Connectors.Sql;
using Weir.Pipelines.PlantSync;

namespace Weir.Services.PlantImages;

/// <summary>
/// The consumer service, running: the Kafka consumer applying the plant topics to the replica database, and the
/// consumer-side image API (same routes and schemas, read-only) with <c>/ping</c> for liveness and readiness.
/// </summary>
internal sealed class PlantSyncConsumerService : PlantSyncHost
{
    private PlantSyncConsumerService(SqlDatabase database, TimeProvider time)
        : base(database, time) =>
        Replica = new ReplicaWriter(database, time, "stream");

    public ReplicaWriter Replica { get; }

    public PlantSyncConsumer? Consumer { get; private set; }

    public static Task<PlantSyncConsumerService> StartAsync(
        PlantSyncOptions options, string database, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken cancellationToken) =>
        StartAsync(new PlantSyncConsumerService(SqlDatabase.Open(database), time), async service =>
        {
            var logger = loggerFactory.CreateLogger("weir.plant-sync");
            await service.Store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            await service.Store.MarkDeployedAsync(cancellationToken).ConfigureAwait(false);
            service.Consumer = new PlantSyncConsumer(
                service.Replica,
                new PlantSyncConsumerOptions { Bootstrap = options.Bootstrap, GroupId = options.Consumer.GroupId, MaxBatch = options.Consumer.MaxBatch },
                logger);
            service.RunInBackground(ConsumeAsync(options, service.Consumer, logger, service.Stopping));
            await service.ServeAsync(options.Consumer.Listen, PlantImageSide.Consumer, options.Consumer.ProducerApi, loggerFactory, cancellationToken).ConfigureAwait(false);
        });

    private static async Task ConsumeAsync(PlantSyncOptions options, PlantSyncConsumer consumer, ILogger logger, CancellationToken cancellationToken)
    {
        await PlantSyncKafka.EnsureTopicsAsync(options, logger, cancellationToken).ConfigureAwait(false);
        await consumer.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
